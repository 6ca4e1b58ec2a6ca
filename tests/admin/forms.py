"""The POST forms of a back-office page, read as a browser would submit them: what the walking tests post
back (valid data harvested from a real page) and where they look for fields that take an id."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

FormData = dict[str, str | list[str]]

_NOT_SENT = frozenset({"submit", "button", "reset", "image", "file"})


@dataclass
class Field:
    name: str
    kind: str  # the input's type, "select" or "textarea"
    value: str = ""
    checked: bool = False
    multiple: bool = False
    options: list[str] = field(default_factory=list)
    selected: list[str] = field(default_factory=list)

    def takes_an_id(self) -> bool:
        """A select whose choices are row ids, a box ticking one, or a field named like an id."""
        numbered = [o for o in self.options if o not in ("", "__None")]
        if self.kind == "select" and numbered and all(o.isdigit() for o in numbered):
            return True
        if self.kind in ("checkbox", "radio") and self.value.isdigit():
            return True
        return re.search(r"(^|_)ids?$", self.name) is not None


@dataclass
class PageForm:
    action: str
    method: str
    fields: list[Field] = field(default_factory=list)
    other_actions: list[str] = field(default_factory=list)  # buttons' own `formaction`

    def actions(self) -> list[str]:
        """Every URL the form can be sent to (its action, and the buttons that send it elsewhere)."""
        return [self.action, *self.other_actions]

    def get(self, name: str) -> Field | None:
        return next((f for f in self.fields if f.name == name), None)

    def data(self) -> FormData:
        """What the browser sends: ticked boxes, chosen options (a single select's first when none
        is marked), text as typed; never the submit buttons."""
        sent: FormData = {}
        for f in self.fields:
            if f.kind in _NOT_SENT:
                continue
            if f.kind in ("checkbox", "radio"):
                if f.checked:
                    sent[f.name] = f.value or "on"
            elif f.kind == "select":
                chosen = f.selected or ([] if f.multiple else f.options[:1])
                if f.multiple:
                    sent[f.name] = list(chosen)
                elif chosen:
                    sent[f.name] = chosen[0]
            else:
                sent[f.name] = f.value
        return sent


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[PageForm] = []
        self._form: PageForm | None = None
        self._select: Field | None = None
        self._option: tuple[str | None, bool, list[str]] | None = None
        self._textarea: Field | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self._form = PageForm(a.get("action", ""), a.get("method", "get").lower())
            self.forms.append(self._form)
            return
        form = self._form
        if form is None:
            return
        if a.get("formaction"):
            form.other_actions.append(a["formaction"])
        if tag == "option" and self._select is not None:
            self._end_option()
            self._option = (a.get("value"), "selected" in a, [])
        elif "name" not in a:
            return
        elif tag == "input":
            kind = a.get("type", "text").lower()
            form.fields.append(Field(a["name"], kind, a.get("value", ""), checked="checked" in a))
        elif tag == "select":
            self._select = Field(a["name"], "select", multiple="multiple" in a)
            form.fields.append(self._select)
        elif tag == "textarea":
            self._textarea = Field(a["name"], "textarea")
            form.fields.append(self._textarea)

    def handle_data(self, data: str) -> None:
        if self._option is not None:
            self._option[2].append(data)
        elif self._textarea is not None:
            self._textarea.value += data

    def _end_option(self) -> None:
        if self._option is None or self._select is None:
            return
        value, selected, text = self._option
        value = value if value is not None else "".join(text).strip()
        self._select.options.append(value)
        if selected:
            self._select.selected.append(value)
        self._option = None

    def handle_endtag(self, tag: str) -> None:
        if tag in ("option", "select"):
            self._end_option()
        if tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            # A browser drops the one newline that follows <textarea>.
            self._textarea.value = re.sub(r"^\r?\n", "", self._textarea.value)
            self._textarea = None
        elif tag == "form":
            self._form = None


def post_forms(html: str) -> list[PageForm]:
    """Every form of the page that is sent with POST."""
    reader = _Reader()
    reader.feed(html)
    reader.close()
    return [f for f in reader.forms if f.method == "post"]


def form_with(html: str, name: str) -> PageForm:
    """The page's POST form that has a field `name` (the model form, on an edit page)."""
    found = [f for f in post_forms(html) if f.get(name) is not None]
    assert found, f"no POST form with a field {name!r} on the page"
    return found[0]


def replaced(data: FormData, old: str, new: str) -> FormData:
    """`data` with `old` replaced by `new` in every value (a unique marker, for a new row's own name)."""
    return {
        k: [x.replace(old, new) for x in v] if isinstance(v, list) else v.replace(old, new)
        for k, v in data.items()
    }
