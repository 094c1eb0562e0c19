"""The district import's one write: check every row against the database, then write it all.

``district_import()`` reads the workbook (``campaigns.imports.workbook``), then,
inside one transaction, loads what the database already holds for the codes
and login names in the file (a few chunked queries, never one per row),
checks what needs the database — parents known, parent kinds, loops, login
names of department staff — and writes only when no row has an error.
Organizations are matched by code and users by login name; only values that
differ are written, so importing the same file again changes nothing.

The values were checked cell by cell by the workbook reader (lengths,
choices, dates), so rows are written with ``bulk_create`` / ``bulk_update``
rather than one ``full_clean()`` and ``save()`` each: a 20,000-member file
must import while the department waits.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from campaigns import audit
from campaigns.enums import ALLOWED_CHILD_KINDS, AuditAction, MemberRole, OrganizationKind
from campaigns.models import Enterprise, Member, Organization, User

from .workbook import (
    SHEET_MEMBERS,
    SHEET_ORGANIZATIONS,
    ErrorLog,
    ParsedWorkbook,
    SheetRow,
    read_workbook,
)

BATCH_SIZE = 2000
QUERY_CHUNK = 2000  # values per IN (…), well under SQLite's limit on parameters

ORGANIZATION_FIELDS = ("name", "kind", "enterprise_id", "founded_on", "contact_phone")
USER_FIELDS = ("full_name", "phone", "email")
MEMBER_FIELDS = ("organization_id", "role", "is_cadre", "position", "joined_party_on")

H_CODE, H_NAME, H_KIND, H_PARENT, H_ENTERPRISE = (
    "党组织编码",
    "党组织名称",
    "组织类别",
    "上级党组织编码",
    "所属企业",
)
H_USERNAME, H_MEMBER_ORG = "登录名", "所属党组织编码"


@dataclass
class SheetCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def as_dict(self) -> dict:
        return {"created": self.created, "updated": self.updated, "unchanged": self.unchanged}


@dataclass
class ImportResult:
    errors: ErrorLog = field(default_factory=ErrorLog)
    organizations: SheetCounts = field(default_factory=SheetCounts)
    members: SheetCounts = field(default_factory=SheetCounts)
    enterprises_created: int = 0
    users_created: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> dict:
        """Plain values the page keeps in the session between the redirect and the summary."""
        return {
            "organizations": self.organizations.as_dict(),
            "members": self.members.as_dict(),
            "enterprises_created": self.enterprises_created,
            "users_created": self.users_created,
        }


def _require_department(user) -> None:
    from campaigns.rules import scope_for

    if not scope_for(user).is_department:
        raise PermissionDenied(_("Only the Organization Department may import a district."))


def district_import(*, user, uploaded, initial_password: str) -> ImportResult:
    """Import the district workbook ``uploaded``: all of it or, if any row is wrong, nothing.

    Raises PermissionDenied for anyone but the department, WorkbookError when
    the file cannot be read, ValidationError when the initial password is too
    weak. Otherwise returns an ImportResult: with ``errors`` (nothing was
    written) or with the counts of what was created, updated and left as it was.
    New users get ``initial_password`` (hashed once for all of them) and must
    change it at their first login; existing users' passwords are not touched.
    """
    _require_department(user)
    validate_password(initial_password)
    parsed = read_workbook(uploaded)
    with transaction.atomic():
        plan = _Plan(parsed)
        plan.check()
        if parsed.errors:
            order = {SHEET_ORGANIZATIONS: 0, SHEET_MEMBERS: 1}
            parsed.errors.items.sort(key=lambda e: (order.get(e.sheet, 2), e.row or 0))
            return ImportResult(errors=parsed.errors)
        result = plan.apply(initial_password)
        audit.record(
            action=AuditAction.IMPORT,
            actor=user,
            object_repr=getattr(uploaded, "name", "") or "",
            detail=_(
                "District workbook imported. Organizations: %(oc)s created, %(ou)s changed, "
                "%(on)s unchanged. Members: %(mc)s created, %(mu)s changed, %(mn)s unchanged. "
                "New enterprises: %(enterprises)s; new logins: %(users)s."
            )
            % {
                "oc": result.organizations.created,
                "ou": result.organizations.updated,
                "on": result.organizations.unchanged,
                "mc": result.members.created,
                "mu": result.members.updated,
                "mn": result.members.unchanged,
                "enterprises": result.enterprises_created,
                "users": result.users_created,
            },
        )
        return result


def _chunks(values: list, size: int = QUERY_CHUNK):
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _bad(row: SheetRow, key: str) -> bool:
    return key in row.values.get("_bad", ())


class _Plan:
    """What the file asks for, checked against what the database holds."""

    def __init__(self, parsed: ParsedWorkbook):
        self.parsed = parsed
        self.errors = parsed.errors
        self.org_rows = {
            row.values["code"]: row
            for row in parsed.organizations
            if row.values.get("code") and not _bad(row, "code")
        }
        wanted = set(self.org_rows)
        wanted.update(row.values.get("parent_code") for row in parsed.organizations)
        wanted.update(row.values.get("organization_code") for row in parsed.members)
        wanted.discard(None)
        self.db_orgs = {}  # code → dict of the organization's stored values
        for chunk in _chunks(sorted(wanted)):
            for org in Organization.objects.filter(code__in=chunk).values(
                "id", "code", "parent_id", "path", "depth", "is_active", *ORGANIZATION_FIELDS
            ):
                self.db_orgs[org["code"]] = org
        self.db_org_codes_by_id = {org["id"]: code for code, org in self.db_orgs.items()}
        self.depth: dict[str, int | None] = {}  # file code → depth in the tree after the import
        self.enterprise_of: dict[str, tuple] = {}  # new file code → ("name", …) or ("id", …)

        usernames = sorted(
            {row.values["username"] for row in parsed.members if row.values.get("username")}
        )
        self.db_users = {}
        for chunk in _chunks(usernames):
            for account in User.objects.filter(username__in=chunk).values(
                "id", "username", "is_superuser", "is_department_staff", *USER_FIELDS
            ):
                self.db_users[account["username"]] = account
        user_ids = [account["id"] for account in self.db_users.values()]
        self.db_members = {}  # user id → dict
        for chunk in _chunks(user_ids):
            for member in Member.objects.filter(user_id__in=chunk).values(
                "id", "user_id", *MEMBER_FIELDS
            ):
                self.db_members[member["user_id"]] = member

    # ------------------------------------------------------------ checks

    def check(self) -> None:
        self._check_parents()
        self._check_loops()
        self._check_kinds()
        self._check_enterprises()
        self._check_members()

    def _error(self, sheet, row, column, value, message) -> None:
        self.errors.add(sheet, row.row, column, value, message)

    def _parent_link(self, code: str):
        """None (top level), ("file", code) or ("db", stored values) for a file organization."""
        row = self.org_rows[code]
        parent = row.values.get("parent_code")
        if parent is None or _bad(row, "parent_code") or "_no_parent" in row.values:
            return None
        if parent in self.org_rows:
            return ("file", parent)
        return ("db", self.db_orgs[parent])

    def _check_parents(self) -> None:
        for code, row in self.org_rows.items():
            parent = row.values.get("parent_code")
            if parent is None or _bad(row, "parent_code"):
                continue
            if parent == code:
                self._error(
                    SHEET_ORGANIZATIONS,
                    row,
                    H_PARENT,
                    parent,
                    _("An organization cannot be its own parent."),
                )
                row.values["_no_parent"] = True
            elif parent not in self.org_rows and parent not in self.db_orgs:
                self._error(
                    SHEET_ORGANIZATIONS,
                    row,
                    H_PARENT,
                    parent,
                    _(
                        "No organization has the code “%(code)s”, neither in this sheet nor in "
                        "the portal."
                    )
                    % {"code": parent},
                )
                row.values["_no_parent"] = True
            elif self._archived(parent):
                self._error(
                    SHEET_ORGANIZATIONS,
                    row,
                    H_PARENT,
                    parent,
                    _(
                        "The organization “%(code)s” is archived: nothing can be placed under it. "
                        "The department restores it in the administration first."
                    )
                    % {"code": parent},
                )
                row.values["_no_parent"] = True
        for row in self.parsed.organizations:
            if row.values.get("code") is None and not _bad(row, "code"):
                row.values["_no_parent"] = True

    def _check_loops(self) -> None:
        """Work out every file organization's depth after the import; report loops."""
        loop = object()
        depth: dict[str, object] = {}
        file_ids = {
            self.db_orgs[code]["id"]: code for code in self.org_rows if code in self.db_orgs
        }
        for start in self.org_rows:
            stack: list[tuple[str, int]] = []  # (code, how far below the next node it sits)
            on_stack: set[str] = set()
            current = start
            while True:
                if current in depth:
                    base = depth[current]
                    break
                if current in on_stack:
                    at = next(i for i, (code, _o) in enumerate(stack) if code == current)
                    cycle = [code for code, _o in stack[at:]]
                    chain = " → ".join([*cycle, cycle[0]])
                    for code in cycle:
                        depth[code] = loop
                        row = self.org_rows[code]
                        self._error(
                            SHEET_ORGANIZATIONS,
                            row,
                            H_PARENT,
                            row.values.get("parent_code"),
                            _("These parents form a loop: %(chain)s.") % {"chain": chain},
                        )
                    stack = stack[:at]
                    base = loop
                    break
                on_stack.add(current)
                link = self._parent_link(current)
                if link is None:
                    stack.append((current, 1))
                    base = -1
                    break
                if link[0] == "file":
                    stack.append((current, 1))
                    current = link[1]
                    continue
                stored = link[1]
                # An organization not in the file keeps its stored place, unless one of
                # its stored ancestors is in the file and moves.
                ancestor_ids = [int(part) for part in stored["path"].strip("/").split("/")[:-1]]
                above = next((i for i in reversed(ancestor_ids) if i in file_ids), None)
                if above is None:
                    stack.append((current, 1))
                    base = stored["depth"]
                    break
                ancestor = self.db_orgs[file_ids[above]]
                stack.append((current, stored["depth"] - ancestor["depth"] + 1))
                current = file_ids[above]
            for code, offset in reversed(stack):
                base = loop if base is loop else base + offset
                depth[code] = base
        self.depth = {code: (None if value is loop else value) for code, value in depth.items()}

    def _kind_of(self, code: str) -> str | None:
        if code in self.org_rows:
            return self.org_rows[code].values.get("kind")
        return self.db_orgs[code]["kind"] if code in self.db_orgs else None

    def _check_kinds(self) -> None:
        for code, row in self.org_rows.items():
            kind, link = row.values.get("kind"), self._parent_link(code)
            if kind is None or link is None:
                continue
            parent_code = link[1] if link[0] == "file" else link[1]["code"]
            parent_kind = self._kind_of(parent_code)
            if parent_kind is None:
                continue
            if kind not in ALLOWED_CHILD_KINDS[OrganizationKind(parent_kind)]:
                self._error(
                    SHEET_ORGANIZATIONS,
                    row,
                    H_PARENT,
                    parent_code,
                    _("A %(child)s cannot be placed under a %(parent)s (“%(code)s”).")
                    % {
                        "child": OrganizationKind(kind).label,
                        "parent": OrganizationKind(parent_kind).label,
                        "code": parent_code,
                    },
                )
        # Organizations not in the file stay under their parent: the parent's new kind must fit.
        changed = {
            self.db_orgs[code]["id"]: code
            for code, row in self.org_rows.items()
            if code in self.db_orgs
            and row.values.get("kind")
            and row.values["kind"] != self.db_orgs[code]["kind"]
        }
        for chunk in _chunks(sorted(changed)):
            for child in Organization.objects.filter(parent_id__in=chunk).values(
                "code", "kind", "parent_id"
            ):
                if child["code"] in self.org_rows:
                    continue
                code = changed[child["parent_id"]]
                kind = self.org_rows[code].values["kind"]
                if child["kind"] not in ALLOWED_CHILD_KINDS[OrganizationKind(kind)]:
                    self._error(
                        SHEET_ORGANIZATIONS,
                        self.org_rows[code],
                        H_KIND,
                        OrganizationKind(kind).label,
                        _(
                            "A %(kind)s cannot hold the %(child)s “%(code)s” that the portal "
                            "already has under this organization."
                        )
                        % {
                            "kind": OrganizationKind(kind).label,
                            "child": OrganizationKind(child["kind"]).label,
                            "code": child["code"],
                        },
                    )

    def _check_enterprises(self) -> None:
        """New organizations without an enterprise take their parent's; top ones must name one."""
        new = [code for code in self.org_rows if code not in self.db_orgs]
        new.sort(key=lambda code: self.depth.get(code) if self.depth.get(code) is not None else 0)
        for code in new:
            row = self.org_rows[code]
            name = row.values.get("enterprise")
            if name:
                self.enterprise_of[code] = ("name", name)
                continue
            if _bad(row, "enterprise"):
                continue
            link = self._parent_link(code)
            if link is None:
                if row.values.get("parent_code") is None:
                    self._error(
                        SHEET_ORGANIZATIONS,
                        row,
                        H_ENTERPRISE,
                        None,
                        _("A new top-level organization needs its enterprise."),
                    )
            elif link[0] == "db":
                self.enterprise_of[code] = ("id", link[1]["enterprise_id"])
            elif link[1] in self.db_orgs:
                given = self.org_rows[link[1]].values.get("enterprise")
                self.enterprise_of[code] = (
                    ("name", given) if given else ("id", self.db_orgs[link[1]]["enterprise_id"])
                )
            elif link[1] in self.enterprise_of:
                self.enterprise_of[code] = self.enterprise_of[link[1]]

    def _archived(self, code: str) -> bool:
        stored = self.db_orgs.get(code)
        return stored is not None and not stored["is_active"]

    def _check_members(self) -> None:
        for row in self.parsed.members:
            values = row.values
            code = values.get("organization_code")
            known = code in self.org_rows or code in self.db_orgs
            if code and not _bad(row, "organization_code") and not known:
                self._error(
                    SHEET_MEMBERS,
                    row,
                    H_MEMBER_ORG,
                    code,
                    _(
                        "No organization has the code “%(code)s”, neither in the sheet "
                        "“%(sheet)s” nor in the portal."
                    )
                    % {"code": code, "sheet": SHEET_ORGANIZATIONS},
                )
            elif code and not _bad(row, "organization_code") and self._archived(code):
                self._error(
                    SHEET_MEMBERS,
                    row,
                    H_MEMBER_ORG,
                    code,
                    _(
                        "The organization “%(code)s” is archived: members cannot be imported "
                        "into it. The department restores it in the administration first."
                    )
                    % {"code": code},
                )
            account = self.db_users.get(values.get("username"))
            if account and (account["is_superuser"] or account["is_department_staff"]):
                self._error(
                    SHEET_MEMBERS,
                    row,
                    H_USERNAME,
                    values["username"],
                    _(
                        "This login belongs to Organization Department staff or an "
                        "administrator; it cannot be imported as a Party member."
                    ),
                )

    # ------------------------------------------------------------ writes

    def apply(self, initial_password: str) -> ImportResult:
        result = ImportResult()
        org_ids = self._apply_organizations(result)
        self._apply_members(result, org_ids, initial_password)
        return result

    def _enterprise_ids(self, result: ImportResult) -> dict[str, int]:
        names = sorted(
            {value for kind, value in self.enterprise_of.values() if kind == "name"}
            | {
                row.values["enterprise"]
                for code, row in self.org_rows.items()
                if code in self.db_orgs and row.values.get("enterprise")
            }
        )
        ids = {}
        for chunk in _chunks(names):
            ids.update(Enterprise.objects.filter(name__in=chunk).values_list("name", "id"))
        missing = [Enterprise(name=name) for name in names if name not in ids]
        Enterprise.objects.bulk_create(missing, batch_size=BATCH_SIZE)
        ids.update((enterprise.name, enterprise.pk) for enterprise in missing)
        result.enterprises_created = len(missing)
        return ids

    def _apply_organizations(self, result: ImportResult) -> dict[str, int]:
        counts = result.organizations
        enterprises = self._enterprise_ids(result)
        ids = {code: org["id"] for code, org in self.db_orgs.items()}
        paths = {org["id"]: org["path"] for org in self.db_orgs.values()}

        # Existing organizations: the values that differ, then (below) the moves.
        changed, moves = [], []
        for code, row in self.org_rows.items():
            stored = self.db_orgs.get(code)
            if stored is None:
                continue
            values = row.values
            wanted = {
                "name": values["name"],
                "kind": values["kind"],
                "enterprise_id": (
                    enterprises[values["enterprise"]]
                    if values.get("enterprise")
                    else stored["enterprise_id"]
                ),
                "founded_on": values.get("founded_on") or stored["founded_on"],
                "contact_phone": values.get("contact_phone") or stored["contact_phone"],
            }
            differs = any(wanted[name] != stored[name] for name in ORGANIZATION_FIELDS)
            if differs:
                changed.append(Organization(pk=stored["id"], **wanted))
            parent = values.get("parent_code")
            if (ids.get(parent) if parent else None) != stored["parent_id"] or (
                parent and parent not in self.db_orgs
            ):
                moves.append(code)
            elif not differs:
                counts.unchanged += 1
                continue
            counts.updated += 1
        Organization.objects.bulk_update(changed, ORGANIZATION_FIELDS, batch_size=BATCH_SIZE)

        # New organizations, parents before children, so each child's parent has its id.
        by_depth = defaultdict(list)
        for code in self.org_rows:
            if code not in self.db_orgs:
                by_depth[self.depth[code]].append(code)
        for level in sorted(by_depth):
            created = []
            for code in by_depth[level]:
                values = self.org_rows[code].values
                kind, ref = self.enterprise_of[code]
                created.append(
                    Organization(
                        code=code,
                        name=values["name"],
                        kind=values["kind"],
                        parent_id=ids[values["parent_code"]] if values.get("parent_code") else None,
                        enterprise_id=enterprises[ref] if kind == "name" else ref,
                        founded_on=values.get("founded_on"),
                        contact_phone=values.get("contact_phone") or "",
                    )
                )
            Organization.objects.bulk_create(created, batch_size=BATCH_SIZE)
            for org in created:
                org.path = f"{paths[org.parent_id] if org.parent_id else '/'}{org.pk}/"
                org.depth = org.path.count("/") - 2
                ids[org.code] = org.pk
                paths[org.pk] = org.path
            Organization.objects.bulk_update(created, ["path", "depth"], batch_size=BATCH_SIZE)
            counts.created += len(created)

        # Moves go through Organization.save(), which carries the subtree's paths along;
        # upper organizations first, so each one's new parent already has its final path.
        for code in sorted(moves, key=lambda code: self.depth[code]):
            org = Organization.objects.get(pk=ids[code])
            parent = self.org_rows[code].values.get("parent_code")
            org.parent_id = ids[parent] if parent else None
            org.save()
        return ids

    def _apply_members(self, result: ImportResult, org_ids: dict, initial_password: str) -> None:
        counts = result.members
        new_users, changed_users = [], []
        new_members, changed_members = [], []
        password_hash = None
        for row in self.parsed.members:
            values = row.values
            organization_id = org_ids[values["organization_code"]]
            account = self.db_users.get(values["username"])
            if account is None:
                if password_hash is None:
                    password_hash = make_password(initial_password)  # once, for every new user
                user = User(
                    username=values["username"],
                    full_name=values["full_name"],
                    phone=values.get("phone") or "",
                    email=values.get("email") or "",
                    password=password_hash,
                    must_change_password=True,
                )
                new_users.append((user, row))
                continue
            wanted = {
                "full_name": values["full_name"],
                "phone": values.get("phone") or account["phone"],
                "email": values.get("email") or account["email"],
            }
            user_differs = any(wanted[name] != account[name] for name in USER_FIELDS)
            if user_differs:
                changed_users.append(User(pk=account["id"], **wanted))
            stored = self.db_members.get(account["id"])
            if stored is None:
                new_members.append(self._new_member(account["id"], organization_id, values))
                counts.created += 1
                continue
            wanted = self._member_values(organization_id, values, stored)
            member_differs = any(wanted[name] != stored[name] for name in MEMBER_FIELDS)
            if member_differs:
                changed_members.append(Member(pk=stored["id"], user_id=account["id"], **wanted))
            if user_differs or member_differs:
                counts.updated += 1
            else:
                counts.unchanged += 1

        User.objects.bulk_create([user for user, _row in new_users], batch_size=BATCH_SIZE)
        for user, row in new_users:
            new_members.append(
                self._new_member(user.pk, org_ids[row.values["organization_code"]], row.values)
            )
        result.users_created = len(new_users)
        counts.created += len(new_users)
        User.objects.bulk_update(changed_users, USER_FIELDS, batch_size=BATCH_SIZE)
        Member.objects.bulk_create(new_members, batch_size=BATCH_SIZE)
        Member.objects.bulk_update(changed_members, MEMBER_FIELDS, batch_size=BATCH_SIZE)

    @staticmethod
    def _new_member(user_id: int, organization_id: int, values: dict) -> Member:
        return Member(
            user_id=user_id,
            organization_id=organization_id,
            role=values.get("role") or MemberRole.MEMBER,
            is_cadre=bool(values.get("is_cadre")),
            position=values.get("position") or "",
            joined_party_on=values.get("joined_party_on"),
        )

    @staticmethod
    def _member_values(organization_id: int, values: dict, stored: dict) -> dict:
        """Blank cells keep what the portal has; filled ones replace it."""
        return {
            "organization_id": organization_id,
            "role": values.get("role") or stored["role"],
            "is_cadre": stored["is_cadre"]
            if values.get("is_cadre") is None
            else values["is_cadre"],
            "position": values.get("position") or stored["position"],
            "joined_party_on": values.get("joined_party_on") or stored["joined_party_on"],
        }
