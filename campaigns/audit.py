"""The security audit trail (安全审计, 等保2.0): who did what, when, from which address.

``record()`` writes one ``AuditEvent``. The actor and the address come from
the request being served (``campaigns.middleware.current_request``) unless
given; commands and background jobs have no request and record no address.

``connect()`` (called by ``CampaignsConfig.ready``) hooks:

* sign-in, sign-out and failed sign-in (Django's auth signals; django-axes
  still sends ``user_login_failed`` with the request when it refuses a
  locked-out account);
* create / change / delete of the models in ``AUDITED``: ``pre_save`` reads the
  stored row (one query, only for these models and only on an update),
  ``post_save`` records what changed — nothing when nothing did — and
  ``pre_delete`` / ``post_delete`` record the deletion with the row's last values;
* a user's new password (``password_change``), seen from ``User.save`` without
  a query: Django keeps the raw password in ``_password`` until the save is done.

Bulk writes (``bulk_create``, ``QuerySet.update``, the demo builder's raw
INSERT/COPY) send no signals and so record nothing per row; the services that
make them record one event for the whole write (the district import). The
attendance of a study activity is written that way (``bulk_create`` and
queryset deletes in ``learning.services.activities``), so ``Attendance`` is
not in ``AUDITED``: the activity's own events stand for it.

State transitions, exports and imports have no model save to hook: their
services call ``record()`` themselves.
"""

from __future__ import annotations

import datetime
import decimal
import functools
import logging

from django.apps import apps
from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist
from django.db import models
from django.db.models.signals import post_delete, post_save, pre_delete, pre_save
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from .enums import AuditAction
from .middleware import current_request
from .network import client_ip

logger = logging.getLogger(__name__)

# Models whose create / change / delete is recorded through signals.
AUDITED = (
    "campaigns.ImplementationPlan",
    "campaigns.Campaign",
    "campaigns.Organization",
    "campaigns.Member",
    "campaigns.Extension",
    "campaigns.DeadlineChange",
    "learning.StudyPlan",
    "learning.StudyPlanItem",
    "learning.StudyActivity",
    # learning.Attendance: written in bulk, see the module's docstring.
    "appraisal.Criterion",
    "appraisal.SelfAssessment",
    "appraisal.CriterionScore",
    "appraisal.Evidence",
    "appraisal.Application",
    "appraisal.Review",
    "appraisal.ReviewScore",
    "appraisal.AnnualAssessment",
    "appraisal.AssessmentWeights",
    "appraisal.Commendation",
)

# Never written into the trail, whatever the model.
SECRET_FIELDS = frozenset({"password"})
# Bookkeeping that follows other fields (the organization tree's materialized path).
IGNORED_FIELDS = {"campaigns.organization": frozenset({"path", "depth"})}
# Long texts (minutes, deeds) are kept to this many characters per value.
MAX_VALUE_LENGTH = 1000

_OLD = "_audit_old"
_DELETED = "_audit_deleted"


# ---------------------------------------------------------------- recording


def _request_user(request):
    user = getattr(request, "user", None)
    if user is not None and getattr(user, "is_authenticated", False):
        return user
    return None


def _request_ip(request) -> str | None:
    if request is None:
        return None
    address = getattr(request, "client_ip", None)
    if address is None:
        address = client_ip(request)
    return address or None


def _repr(obj) -> str:
    try:
        text = str(obj)
    except ObjectDoesNotExist:
        # A related row went first (a cascade): name the object by its kind and number.
        text = f"{obj._meta.verbose_name} #{obj.pk}"
    return text[:200]


def _text(value):
    return str(value) if isinstance(value, Promise) else value


def record(
    *,
    action: str,
    obj=None,
    changes: dict | None = None,
    detail: str = "",
    actor=None,
    request=None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
):
    """Write one audit event and return it.

    ``actor`` and the address default to the current request's user and
    client address; outside a request (commands, jobs) the actor is whoever is
    passed (or nobody) and there is no address. ``changes`` maps a field name
    to ``[old, new]`` display values.
    """
    from .models import AuditEvent

    request = request if request is not None else current_request.get()
    if actor is None:
        actor = _request_user(request)
    elif not getattr(actor, "is_authenticated", False):
        actor = None
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or ("" if obj.pk is None else str(obj.pk))
        object_repr = object_repr or _repr(obj)
    with translation.override(settings.LANGUAGE_CODE):
        # Lazy labels become text in the portal's own language, whoever's page it was.
        changes = {
            str(name): [_text(value) for value in pair] for name, pair in (changes or {}).items()
        }
        detail = str(detail or "")
        object_repr = str(object_repr)
    return AuditEvent.objects.create(
        actor=actor,
        actor_name=actor.get_username() if actor is not None else "",
        ip=_request_ip(request),
        action=action,
        object_type=object_type,
        object_id=str(object_id)[:64],
        object_repr=object_repr[:200],
        changes=changes,
        detail=detail,
    )


# ---------------------------------------------------------------- values as people read them


@functools.cache
def _tracked_fields(model) -> tuple:
    ignored = IGNORED_FIELDS.get(model._meta.label_lower, frozenset())
    return tuple(
        field
        for field in model._meta.concrete_fields
        if not field.primary_key
        and not getattr(field, "auto_now", False)
        and not getattr(field, "auto_now_add", False)
        and field.name not in SECRET_FIELDS
        and field.name not in ignored
    )


def _shorten(text: str) -> str:
    return text if len(text) <= MAX_VALUE_LENGTH else text[: MAX_VALUE_LENGTH - 1] + "…"


def _plain(field, value):
    """A stored value as JSON the trail can keep (before any display lookup)."""
    if value is None:
        return None
    if isinstance(field, models.FileField):
        return str(getattr(value, "name", value) or "") or None
    if isinstance(value, datetime.datetime):
        return (
            timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S")
            if timezone.is_aware(value)
            else value.strftime("%Y-%m-%d %H:%M:%S")
        )
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return format(value.normalize(), "f") if value == value.to_integral() else str(value)
    if isinstance(value, bool | int | float):
        return value
    if isinstance(value, dict | list):
        return value
    return _shorten(str(value))


def _display(field, value, related_names: dict | None = None):
    """What the page shows for ``value``: choice labels, 是/否, names of related rows."""
    if value is None or value == "":
        return value
    if field.is_relation:
        name = (related_names or {}).get(value)
        return name if name is not None else f"#{value}"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    return _plain(field, value)


def _same(field, old, new) -> bool:
    if isinstance(field, models.FileField):
        return (str(getattr(old, "name", old) or "")) == str(getattr(new, "name", new) or "")
    if old == new:
        return True
    try:
        return field.to_python(old) == field.to_python(new)
    except Exception:
        return False


def _related_names(field, instance, ids) -> dict:
    """The names of the rows a foreign key pointed and points at (cached ones cost nothing)."""
    names = {}
    if field.is_cached(instance):
        cached = field.get_cached_value(instance)
        if cached is not None:
            names[cached.pk] = _repr(cached)
    wanted = [pk for pk in ids if pk is not None and pk not in names]
    if wanted:
        for row in field.related_model._base_manager.filter(pk__in=wanted):
            names[row.pk] = _repr(row)
    return names


def _snapshot(instance, *, resolve: bool) -> dict:
    """The row's non-empty values, for a create (``[None, value]``) or a delete."""
    values = {}
    for field in _tracked_fields(type(instance)):
        value = getattr(instance, field.attname)
        if value is None or value == "" or (isinstance(field, models.FileField) and not value):
            continue
        names = None
        if field.is_relation:
            names = _related_names(field, instance, [value] if resolve else [])
        values[field.name] = _display(field, value, names)
    return values


# ---------------------------------------------------------------- model signals


@functools.cache
def _audited_models() -> frozenset:
    return frozenset(apps.get_model(label) for label in AUDITED)


def _before_save(sender, instance, raw=False, update_fields=None, **kwargs):
    if raw or instance._state.adding or instance.pk is None:
        return
    fields = _tracked_fields(sender)
    if update_fields is not None:
        fields = tuple(field for field in fields if field.name in update_fields)
    if not fields:
        instance.__dict__[_OLD] = {}
        return
    stored = (
        sender._base_manager.filter(pk=instance.pk)
        .values(*(field.attname for field in fields))
        .first()
    )
    instance.__dict__[_OLD] = stored


def _after_save(sender, instance, created, raw=False, **kwargs):
    if raw:
        return
    old = instance.__dict__.pop(_OLD, None)
    with translation.override(settings.LANGUAGE_CODE):
        if created or old is None:
            changes = {
                name: [None, value] for name, value in _snapshot(instance, resolve=True).items()
            }
            record(action=AuditAction.CREATE, obj=instance, changes=changes)
            return
        changes = {}
        for field in _tracked_fields(sender):
            if field.attname not in old:
                continue
            before, after = old[field.attname], getattr(instance, field.attname)
            if _same(field, before, after):
                continue
            names = _related_names(field, instance, [before, after]) if field.is_relation else None
            changes[field.name] = [_display(field, before, names), _display(field, after, names)]
        if changes:
            record(action=AuditAction.CHANGE, obj=instance, changes=changes)


def _before_delete(sender, instance, **kwargs):
    # Every row of a cascade still exists here; in post_delete its relations may be gone.
    with translation.override(settings.LANGUAGE_CODE):
        instance.__dict__[_DELETED] = (_repr(instance), _snapshot(instance, resolve=False))


def _after_delete(sender, instance, **kwargs):
    name, values = instance.__dict__.pop(_DELETED, (None, {}))
    record(
        action=AuditAction.DELETE,
        obj=instance,
        object_repr=name or "",
        changes={field: [value, None] for field, value in values.items()},
    )


def _user_saved(sender, instance, created, raw=False, **kwargs):
    """A new password (set_password, then save): record that it changed, never the hash."""
    if raw or created or getattr(instance, "_password", None) is None:
        return
    # The user themself, or the administrator who set it (admin site); nobody in a command.
    actor = _request_user(current_request.get())
    detail = ""
    if actor is not None and actor.pk != instance.pk:
        detail = _("Set by %(name)s") % {"name": actor.get_username()}
    record(action=AuditAction.PASSWORD_CHANGE, obj=instance, actor=actor, detail=detail)


# ---------------------------------------------------------------- sign-in and sign-out


def _logged_in(sender, request, user, **kwargs):
    record(action=AuditAction.LOGIN, obj=user, actor=user, request=request)


def _logged_out(sender, request, user, **kwargs):
    if user is None:
        return
    record(action=AuditAction.LOGOUT, obj=user, actor=user, request=request)


def _login_failed(sender, credentials, request=None, **kwargs):
    from .models import AuditEvent

    tried = str((credentials or {}).get("username") or "")[:150]
    detail = ""
    if request is not None and getattr(request, "axes_locked_out", False):
        detail = _("Refused: the account or address is locked out.")
    AuditEvent.objects.create(
        actor=None,
        actor_name=tried,
        ip=_request_ip(request if request is not None else current_request.get()),
        action=AuditAction.LOGIN_FAILED,
        object_type="campaigns.user",
        object_repr=tried,
        detail=detail,
    )


def connect() -> None:
    """Hook the signals (from ``CampaignsConfig.ready``)."""
    user_logged_in.connect(_logged_in, dispatch_uid="audit_login")
    user_logged_out.connect(_logged_out, dispatch_uid="audit_logout")
    user_login_failed.connect(_login_failed, dispatch_uid="audit_login_failed")
    post_save.connect(
        _user_saved, sender=settings.AUTH_USER_MODEL, dispatch_uid="audit_password_change"
    )
    for model in _audited_models():
        uid = model._meta.label_lower
        pre_save.connect(_before_save, sender=model, dispatch_uid=f"audit_pre_save_{uid}")
        post_save.connect(_after_save, sender=model, dispatch_uid=f"audit_post_save_{uid}")
        pre_delete.connect(_before_delete, sender=model, dispatch_uid=f"audit_pre_delete_{uid}")
        post_delete.connect(_after_delete, sender=model, dispatch_uid=f"audit_post_delete_{uid}")


# ---------------------------------------------------------------- reading the trail


def field_label(object_type: str, name: str) -> str:
    """The verbose name of ``name`` on the model ``object_type`` ("learning.studyplan")."""
    try:
        model = apps.get_model(object_type)
        return str(model._meta.get_field(name).verbose_name)
    except (LookupError, ValueError, FieldDoesNotExist):
        return name


@functools.cache
def object_type_choices() -> list[tuple[str, str]]:
    """The kinds of object the trail names, for the page's filter."""
    labels = ["campaigns.User", *AUDITED, "appraisal.AssessmentExport", "campaigns.AuditEvent"]
    return [
        (apps.get_model(label)._meta.label_lower, apps.get_model(label)._meta.verbose_name)
        for label in labels
    ]
