"""HTML pages, a module per audience: the start page (start.py), the console (console.py and
harvest.py), the projector (projector.py), the host tablet (host.py), joining (join.py) and
the phone (phone.py); what they share is in visits.py.

Every route adapts a page visit or a form to one action (app/actions/) and answers with a
page or a message fragment (#flash); the change itself reaches every screen through the
hub. Who visits comes from a dependency (visits.py: `ConsoleVisit`, `Facilitator`, …) that
raises when the answer is another page (PageAnswer) or a refusal; a form arrives as its
model (forms.py). Routes and the dependencies that read the database are plain functions,
which FastAPI runs in its thread pool; app/main.py's handlers answer what they raise.

A page link carries its token in the URL. The first visit answers a short sign-in step
instead of the page: it sets the token's HttpOnly cookie and moves on to the clean URL with
a zero-second refresh, which replaces the history entry. Its status is 401 (the page itself
is shown only once the cookie comes back) because Chromium keeps a URL that never answered
2xx hidden: the token URL is neither in the history list nor suggested by the address bar,
where a 303 redirect left it suggested (docs/api.md, "Page links").
"""

from fastapi import APIRouter

from app.web.pages import console, harvest, host, join, phone, projector, start

router = APIRouter()
for audience in (start, console, harvest, projector, host, join, phone):
    router.include_router(audience.router)
