"""The database side: load, save and query one event's rows, inside one transaction each.

Nothing here knows about HTTP or the live hub: functions return records (app/store/records.py)
and, for every committed change, the event's new `seq`; the actions publish.
"""
