"""Import: CSV and Excel files from HR and learning systems, checked row by row, written all or nothing."""

import streamlit as st
from sqlmodel import Session

from db.engine import get_engine
from db.scope import AccessDenied
from services import imports, options, permissions
from services.formatting import shown_frame
from ui import data
from ui.safe import md
from ui.tables import downloads
from ui.widgets import Kpi, empty_state, kpi_row, signed_in

IGNORE = "(ignore)"

who = signed_in()
scope = who.scope
kinds = imports.kinds_for(scope)

st.title("Import data")
st.caption("CSV or Excel (.xlsx) files from your HR and learning systems. Every row is checked first; "
           "a file is imported completely or not at all. The column reference below says what each file holds.")
notice = st.container()

if not kinds:
    empty_state("Your role cannot import data.")
    st.stop()

left, right = st.columns(2)
kind = left.selectbox("The file holds", kinds, format_func=lambda name: imports.KINDS[name].title, key="imp_kind")
spec = imports.KINDS[kind]
employer_id = university_id = None
chooses_target = permissions.chooses_import_target(scope, spec.side)
with Session(get_engine()) as session:
    if chooses_target and spec.side == "employer":
        employers = dict(options.employers(session, scope))
        employer_id = right.selectbox("Import into", list(employers), format_func=employers.get, index=None,
                                      placeholder="Choose an employer", key="imp_employer")
    elif chooses_target:
        universities = dict(imports.universities(session, scope))
        university_id = right.selectbox("Credentials of", list(universities), format_func=universities.get,
                                        index=None, placeholder="Choose a university", key="imp_university")
    else:
        right.text_input("Import into", value=who.organization_name, disabled=True)

# Open until a file is chosen: the reference is what a user needs to prepare one.
with st.expander(f"Column reference: {spec.title.lower()} files, and a template",
                 expanded=st.session_state.get("imp_file") is None):
    # st.table, not a grid: a reference is read whole, with no cell cut short.
    st.table(shown_frame(imports.columns_frame(kind)), hide_index=True)
    st.caption(f"Each row is one record, identified by {' + '.join(spec.key)}: a row whose record exists "
               "updates it, others are created, and nothing is deleted. Headers match ignoring case, spaces "
               "and punctuation, or by an alias under *Also accepted*; map any other header below once the "
               "file is uploaded. Dates are YYYY-MM-DD; numbers use a point for decimals, without thousands "
               "separators or currency signs; choices ignore case. Empty cells, ?, NA, N/A and null mean "
               "\"no value\". A column missing from the file leaves that field as it is on existing records; "
               "new records get the default.")
    downloads(imports.template(kind), f"{kind}-template", key=f"imp_tpl_{kind}", as_is=True)

limit = imports.import_limits()
upload = st.file_uploader("File", type=["csv", "txt", "tsv", "xlsx"], key="imp_file", max_upload_size=limit.file_mb,
                          help=f"At most {limit.file_mb:,} MB and {limit.rows:,} rows.")
needs_target = chooses_target and (employer_id if spec.side == "employer" else university_id) is None
if upload is None or needs_target:
    empty_state("Choose " + ("the organisation and " if needs_target else "") + "a file to see what it would change.")
    st.stop()


def column_mapping(header: list[str]) -> dict[str, str | None]:
    """Every header of the file gets a target column (or is ignored), suggested by name."""
    auto, _, _ = imports.resolve_columns(kind, header)
    targets = [column.name for column in spec.columns]
    odd = [name for name in header if name not in targets] or \
        [name for name in spec.required if name not in auto.values()]
    mapping: dict[str, str | None] = {}
    with st.expander("Columns of the file" + (": check the mapping" if odd else ""), expanded=bool(odd)):
        grid = st.columns(3)
        for i, name in enumerate(header):
            choices = [IGNORE, *targets]
            picked = grid[i % 3].selectbox(md(name), choices, index=choices.index(auto.get(name, IGNORE)),
                                           key=f"imp_map_{kind}_{i}")
            mapping[name] = None if picked == IGNORE else picked
    return mapping


raw = upload.getvalue()
about = st.empty()
try:
    # The header first: its rows are read only once it has the kind's required columns (after the mapping).
    with imports.open_table(raw, upload.name) as opened:
        mapping = column_mapping(opened.header)
        _, header_errors, _ = imports.resolve_columns(kind, opened.header, mapping)
        table = opened.header_table() if header_errors else opened.table()
except imports.ImportFailed as exc:
    st.error(md(exc))
    st.stop()
delimiter = {",": "comma", ";": "semicolon", "\t": "tab", "|": "bar", None: "Excel"}[table.attrs["delimiter"]]
read = f"{table.attrs['encoding']}, {delimiter}"
about.caption(f"{md(upload.name)}: {read}; its rows are read once the required columns are mapped."
              if table.attrs["header_only"] else f"{md(upload.name)}: {len(table):,} rows, {read}.")

bar = st.progress(0.0, text="Checking…") if len(table) > imports.PROGRESS_MIN_ROWS else None
show = (lambda fraction, message: bar.progress(min(max(fraction, 0.0), 1.0), text=message)) if bar else None
with Session(get_engine()) as session:
    try:
        plan = imports.plan(session, scope, kind, table, employer_id=employer_id, university_id=university_id,
                            mapping=mapping, progress=show)
    except (imports.ImportFailed, AccessDenied) as exc:
        st.error(md(exc))
        st.stop()
if bar:
    bar.empty()
for warning in plan.warnings:
    st.warning(md(warning))

if not plan.ok:
    st.error(f"{plan.summary()} Fix the file (or the column mapping) and upload it again.")
    problems = plan.error_frame()
    st.dataframe(problems, hide_index=True, width="stretch",
                 column_config={"line": st.column_config.NumberColumn("Line", format="%d"),
                                "column": "Column", "problem": "Problem"})
    downloads(problems, "import-problems", key="imp_err")
    st.stop()

st.subheader(f"Into {md(plan.target_name)}")
kpi_row([Kpi("To create", plan.created), Kpi("To update", plan.updated), Kpi("Unchanged", plan.unchanged)])
extra = ", ".join(f"{n:,} new {what}" for what, n in plan.also_created.items() if n)
if extra:
    st.caption(f"Also created: {extra}.")
if not plan.changes:
    st.info("Nothing to change: every row is already up to date.", icon=":material/check:")
st.dataframe(plan.preview(), hide_index=True, width="stretch",
             column_config={"line": st.column_config.NumberColumn("Line", format="%d"), "action": "Action",
                            "key": "Record", "changes": "Changes"})
st.caption("The preview shows up to 200 rows of each action.")

if st.button("Import", type="primary", icon=":material/upload:", key="imp_go"):
    bar = st.progress(0.0, text="Importing…") if len(table) > imports.PROGRESS_MIN_ROWS else None
    show = (lambda fraction, message: bar.progress(min(max(fraction, 0.0), 1.0), text=message)) if bar else None
    try:
        with Session(get_engine()) as session:
            # Checked again inside the writing transaction: the database may have changed since the preview.
            done = imports.import_file(session, scope, kind, raw, upload.name, employer_id=employer_id,
                                       university_id=university_id, mapping=mapping, progress=show)
    except (imports.ImportFailed, AccessDenied) as exc:
        notice.error(md(exc))
        st.stop()
    if bar:
        bar.empty()
    if done.applied:
        data.clear()
        notice.success(done.summary(), icon=":material/check_circle:")
    else:
        notice.error(f"{done.summary()} The data changed since the preview; check the file again.")
