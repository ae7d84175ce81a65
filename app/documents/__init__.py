"""Documents of an event: the harvest's exports (exports.py), the city office's report
(report.py), the printed materials (printed.py) and seating files (seating_files.py), each
made outside the server process by a worker (jobs.py starts worker.py)."""
