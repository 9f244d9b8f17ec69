"""The storage errors views translate into pages; each message is pt-BR and says what to do."""

from dataclasses import dataclass


class SheetError(Exception):
    """Base of every storage error; ``str(error)`` is shown to the user."""


class SheetUnavailable(SheetError):
    """The sheet cannot be written or read right now (locked, busy, unreachable)."""


class SheetUnreadable(SheetError):
    """The sheet exists but cannot be understood (corrupt file, missing tab)."""


class CaseNotFound(SheetError):
    """No row holds this case ID (never created, or deleted by a person)."""

    def __init__(self, case_id: str) -> None:
        super().__init__(f"O caso {case_id} não foi encontrado na planilha.")
        self.case_id = case_id


@dataclass(frozen=True)
class Conflict:
    """A field both the user and someone in the sheet changed since the form was loaded."""

    header: str
    mine: object
    theirs: object


class EditConflict(SheetError):
    """The edit touches fields that were changed in the sheet meanwhile; nothing was written."""

    def __init__(self, conflicts: list[Conflict]) -> None:
        fields = ", ".join(c.header for c in conflicts)
        super().__init__(f"Alterado na planilha desde que você abriu o caso: {fields}.")
        self.conflicts = conflicts
