"""Owner roster import (业主名册导入): CSV or XLSX in, owners and unit bindings out.

Property companies keep the roster in a spreadsheet with the columns 楼栋,
单元/房号 (or 单元 + 房号), 姓名, 手机, 关系, 入伙日期, 入住状态. Staff upload it
through ``POST /api/owners/import`` or ``portal owners import``; both call
:meth:`RosterImporter.run`.

Reading
    CSV in UTF-8 (with or without BOM), UTF-16 with BOM (Excel's "Unicode
    text"), or GB18030/GBK (Excel on Chinese Windows), separated by commas, tabs
    or semicolons; XLSX (the first sheet; merged cells are filled from their
    top-left cell). The header row is found by its column names within the first
    :data:`HEADER_SEARCH_ROWS` rows, so a title row above it is fine. Column
    names tolerate the usual variants (:data:`COLUMN_ALIASES`). Row numbers in the
    report are the ones staff see in their spreadsheet.
Validating
    Every row against the estate from the estate directory (the store): the building (``2``,
    ``2栋``, ``2号楼``, ``二栋``), the unit (``2-1503``, ``2单元1503``, or 单元 ``2`` +
    房号 ``1503``), the mobile number, relationship, 入伙 date and occupancy. The
    same phone twice on the same unit is a duplicate (the later row is the error
    and names the earlier one); one phone on several units is one owner with
    several units; a unit may have several residents. Rows with nothing in the
    roster's columns are skipped.
Writing
    All or nothing by default: any row error and nothing is written.
    ``allow_partial`` writes the good rows; ``dry_run`` writes nothing and reports
    what would happen. Owners are keyed by their phone's keyed hash and bindings
    by owner + unit, so importing the same file twice creates nothing new: an
    existing owner gets missing bindings added, keeps a name already on file, and
    a binding's relationship, date and occupancy are updated only by non-blank
    values. Writes go through :meth:`portal.accounts.owners.OwnerRepo.apply` (transactions
    of at most 100 items). The file's SHA-256 is recorded (``keys.roster_import``)
    so that uploading the same file again is reported as already imported.
Auditing
    Every import that gets as far as a report (dry runs and rejected files
    included) is one ``owners.import`` event in the audit log: who, the estate,
    file name, SHA-256, mode, outcome and counts; never a phone number.

The modules: :mod:`.columns` (headers and aliases), :mod:`.validate` (rows),
:mod:`.plan` (what changes), :mod:`.report` and :mod:`.payload` (the report),
:mod:`.log` (files already imported), :mod:`.importer` (``RosterImporter``). Nothing is
imported here, so that the API's report models load without the spreadsheet reader.
"""
