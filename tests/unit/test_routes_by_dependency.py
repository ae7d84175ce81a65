"""Routes adapt HTTP and leave who is asking and what a refusal answers to dependencies
and handlers (docs/architecture.md): no route checks a visit or a bearer token by hand,
and only the forms that show their error above themselves (the event form, the join form,
the passcode) catch a refusal. Read from the source of app/web/."""

import ast
from pathlib import Path

APP_WEB = Path(__file__).resolve().parents[2] / "app" / "web"
REDISPLAYED_FORMS = {
    ("pages/start.py", "events_from_landing"), ("pages/start.py", "create_from_form"),
    ("pages/start.py", "edit_from_form"), ("pages/join.py", "_join_posted"),
    ("ws.py", "_admit"),
}
"""Where a refusal may be caught: forms shown again with their error, and the socket,
which refuses before it is accepted (no HTTP answer to hand to a handler)."""


def functions(tree: ast.AST):
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            yield node


def web_modules():
    for path in sorted(APP_WEB.rglob("*.py")):
        yield path.relative_to(APP_WEB).as_posix(), ast.parse(path.read_text(encoding="utf-8"))


def caught(handler: ast.ExceptHandler) -> set[str]:
    kinds = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    return {kind.id for kind in kinds if isinstance(kind, ast.Name)}


def test_only_forms_shown_again_catch_a_refusal():
    catching = {(module, function.name)
                for module, tree in web_modules() for function in functions(tree)
                for node in ast.walk(function)
                if isinstance(node, ast.ExceptHandler) and "Refusal" in caught(node)}
    assert catching, "the check reads nothing"
    assert catching <= REDISPLAYED_FORMS, sorted(catching - REDISPLAYED_FORMS)


def test_no_route_checks_who_is_asking_by_hand():
    by_hand = []
    for module, tree in web_modules():
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", getattr(node.func, "attr", ""))
            if name == "bearer_identity" or (
                    name == "isinstance" and any(getattr(arg, "id", "") == "Visit"
                                                 for arg in node.args)):
                by_hand.append(f"{module}:{node.lineno}")
            if name in ("check_visit", "cookie_identity") and module.startswith("pages/") \
                    and module != "pages/visits.py":
                by_hand.append(f"{module}:{node.lineno}")
    assert by_hand == []
