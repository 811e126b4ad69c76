"""The objects plugins register: fields, document types and packages of annexes."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import Location

#: The built-in output kinds (renderers), registered by ``planforge.default_plugins.renderers``.
WORD_PER_RECORD = "word-per-record"  # one .docx per record (+ an optional combined print file)
WORD_SINGLE = "word-single"  # one .docx for all records (the template loops over them)
EXCEL_TABLE = "excel-table"  # one .xlsx; a marked template row is repeated per record


class FieldError(ValueError):
    """A cell value that a field type cannot accept; carries the message in both languages."""

    def __init__(self, zh: str, en: str):
        self.zh, self.en = zh, en
        super().__init__(f"{zh} / {en}")


@dataclass(frozen=True)
class FieldType:
    """A named parser for cell values.

    ``parse(raw, field)`` receives a non-empty raw cell (str, int, float, date, datetime or bool) and
    returns the clean value or raises :class:`FieldError`.
    """

    name: str
    parse: Callable[[Any, Field], Any]
    description: str = ""


@dataclass(frozen=True)
class Field:
    """One column of the input: its identifier, its Chinese header and how to check it.

    ``matches_id`` (on a ``sex`` field) names the ``resident_id`` field of the same table whose
    number must encode the same sex; a row where they disagree is refused. A plugin asks for it
    where its programme's rules depend on sex (an age threshold), and not otherwise.
    """

    name: str
    label: str
    type: str = "text"
    aliases: tuple[str, ...] = ()
    required: bool = False
    choices: tuple[str, ...] = ()
    default: Any = None
    min: float | None = None
    max: float | None = None
    max_length: int | None = None
    pattern: str | None = None
    unique: bool = False
    help: str = ""
    matches_id: str | None = None

    def headers(self) -> tuple[str, ...]:
        """Every header text that names this column."""
        return (self.label, self.name, *self.aliases)


@dataclass(frozen=True)
class TableSpec:
    """One table of the input (a sheet, or a whole CSV/JSON file) and the fields it carries.

    The first table of a type is always needed; a further one (a second sheet such as 任教经历)
    is optional unless ``required``, when a run without it is refused.
    """

    name: str
    fields: tuple[Field, ...]
    sheets: tuple[str, ...] = ()
    required: bool = False
    title: str = ""

    def __post_init__(self) -> None:
        types = {column.name: column.type for column in self.fields}
        for column in self.fields:
            if column.matches_id is not None and (
                    column.type != "sex" or types.get(column.matches_id) != "resident_id"):
                raise ValueError(
                    f"字段「{column.name}」的 matches_id 只能用于 sex 类型的字段，并指向同一表中 "
                    f"resident_id 类型的字段 / field {column.name!r}: matches_id belongs on a sex "
                    f"field and names a resident_id field of the same table, not "
                    f"{column.matches_id!r}")


@dataclass(slots=True)
class Record(Mapping):
    """A validated row: its clean values and where it came from (slotted: one per row read)."""

    values: dict[str, Any]
    where: Location = field(default_factory=Location)

    def __getitem__(self, key: str) -> Any:
        return self.values[key]

    def __iter__(self):
        return iter(self.values)

    def __len__(self) -> int:
        return len(self.values)


@dataclass
class InputData:
    """Everything a run read, table by table, after validation. A long table is a
    :class:`~planforge.spill.SpilledList` on disk: iterate it rather than copy it."""

    tables: dict[str, Sequence[Record]]
    files: tuple[Path, ...] = ()
    previous: InputData | None = None  # last period's data (``--previous``), for 增减 tables
    warnings: list = field(default_factory=list)  # Problems worth telling, not blocking
    #: Folders read with everything in them (an activity folder): no output may lie inside one.
    folders: tuple[Path, ...] = ()

    @property
    def records(self) -> Sequence[Record]:
        return self.tables.get("records", [])


#: Items in a context may carry the Location of their source row under this key (for manifests).
WHERE_KEY = "_where"

#: ``prepare(data, settings)`` returns the template context; it may raise InputError. A list
#: the templates loop over may be a :class:`~planforge.spill.SpilledList` (see docs/plugins.md).
Prepare = Callable[[InputData, dict[str, Any]], dict[str, Any]]
#: ``read(paths)`` reads inputs that are not tables (an activity folder) into InputData; it
#: may raise InputError.
Read = Callable[[list[Path]], InputData]


def default_prepare(data: InputData, settings: dict[str, Any]) -> dict[str, Any]:
    """Without a plugin's own logic, templates see the rows as they were read (as plain lists:
    declarative derived fields and checks work on them)."""
    return {name: [{**r.values, WHERE_KEY: r.where} for r in rows]
            for name, rows in data.tables.items()}


@dataclass(frozen=True)
class Split:
    """One output per value of a setting: a report per quarter, a list per township.

    When the user leaves ``setting`` unset, the engine takes every distinct value from the
    context list ``values`` (items, or their ``setting`` key), prepares the context once per
    value with the setting fixed, and names each file by ``file_name``.
    """

    setting: str
    values: str
    file_name: str = "{{ settings[document.split] }}"


@dataclass
class DocumentType:
    """One form: what it reads, which template it fills and how its files are named.

    ``each`` names the context list that drives rendering (one Word file per item, or one table row
    per item); ``sheet_lists`` lets an Excel template fill different sheets from different lists.
    ``file_name`` is a Jinja pattern over one item, used for per-record Word files. ``template``
    is None only for a kind that makes its files from what it reads (the activity dossier).
    """

    name: str
    title: str
    template: Path | None
    renderer: str = WORD_PER_RECORD
    fields: tuple[Field, ...] = ()
    inputs: tuple[TableSpec, ...] = ()
    settings: tuple[Field, ...] = ()
    annex: int | None = None
    each: str = "records"
    sheet_lists: Mapping[str, str] = field(default_factory=dict)
    file_name: str = "{{ index }}"
    combined: bool = True
    prepare: Prepare | None = None
    provides: tuple[str, ...] = ()
    split: Split | None = None
    description: str = ""
    source: str = ""
    #: Pictures of a Word template replaced per run (a region's logo, a scanned signature): the
    #: picture's name, title or alt text in the template → the ``image`` setting naming the file.
    pictures: Mapping[str, str] = field(default_factory=dict)
    #: Reads the type's inputs itself when they are not tables (an activity folder); ``inputs``
    #: and ``fields`` then describe nothing the engine reads.
    read: Read | None = None

    def __post_init__(self) -> None:
        self.template = None if self.template is None else Path(self.template)
        images = {setting.name for setting in self.settings if setting.type == "image"}
        for picture, setting in self.pictures.items():
            if setting not in images:
                raise ValueError(f"{self.name}: pictures[{picture!r}] must name an image setting "
                                 f"of this Word document type, not {setting!r}")
        if not self.inputs:
            self.inputs = (TableSpec("records", tuple(self.fields)),)

    def entry_name(self, context_title: str | None = None) -> str:
        """The annex's folder or file stem: 附件N plus its title."""
        title = context_title or self.title
        return f"附件{self.annex} {title}" if self.annex is not None else title


@dataclass
class Package:
    """Numbered annexes produced together from one set of data.

    ``check(folder, settings)`` re-reads a finished package and returns the problems it finds.
    """

    name: str
    title: str
    members: tuple[str, ...]
    inputs: tuple[TableSpec, ...] = ()
    settings: tuple[Field, ...] = ()
    prepare: Prepare | None = None
    check: Callable[[Path, dict[str, Any]], list] | None = None
    description: str = ""
    source: str = ""


@dataclass
class Rendering:
    """What the engine hands a renderer for one document type: everything is validated and
    prepared; the renderer only writes ``entry`` (its file stem or folder) through the writer."""

    document_type: DocumentType
    context: dict[str, Any]  # the run's context plus ``document`` (annex, title, name, split)
    items: Sequence[Any]  # the ``each`` list of the context (maybe a SpilledList: iterate it)
    settings: dict[str, Any]
    entry: str
    word_env: Any  # Jinja environment escaping for XML (Word templates)
    text_env: Any  # Jinja environment without escaping (Excel cells, file names)
    pictures: Mapping[str, Path] = field(default_factory=dict)  # template picture → image file
    plugins_dir: str | None = None  # so worker processes load the same plugins
    progress: Callable[[int], None] | None = None  # called with the number of items done
    jobs: int = 1  # worker processes the renderer may start

    def rows(self) -> list[Location]:
        """Where every item came from, for the manifest."""
        found = (item.get(WHERE_KEY) for item in self.items if isinstance(item, Mapping))
        return [where for where in found if isinstance(where, Location)]


@dataclass
class Renderer:
    """An output kind a document type names as its ``renderer``.

    ``render(rendering, writer)`` names the files of one document type, each with
    ``writer.add(relative, document_type_name, rows)`` (for the manifest), and returns the
    function that writes them to ``writer.path(relative)``: a run knows every path it will
    write before anything is written, and refuses to touch a file planforge did not write.
    ``consumes`` and ``writes`` describe it for
    people (``planforge plugins``); ``per_item`` renderers write one file per item, so the
    progress bar counts their items; ``settings`` are added to every job using the kind;
    ``pictures`` says whether it can replace template pictures; ``fills_template`` is False for
    a kind that makes its files from what the items name (a booklet binds files), so its
    document types need no template.
    """

    name: str
    render: Callable[[Rendering, Any], Callable[[], None]]
    consumes: str = ""
    writes: str = ""
    per_item: bool = False
    settings: tuple[Field, ...] = ()
    pictures: bool = False
    fills_template: bool = True
    description: str = ""
    source: str = ""
