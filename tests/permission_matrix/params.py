"""Which object of the world fills each URL parameter."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType

# The world attribute a URL's ``pk`` names, by the URL name's entity
# (``learning:note.edit`` → ``note``) …
OBJECT_FOR_ENTITY = {
    "plan": "plan",
    "plan_item": "plan_item",
    "implementation_plan": "implementation_plan",
    "activity": "activity",
    "attachment": "attachment",
    "attendance": "attendance",
    "note": "note",
    "comment": "note_comment",
    "book": "book",
    "reading": "reading",
    "topic": "topic",
    "suggestion": "suggestion",
    "criterion": "criterion",
    "assessment": "assessment",
    "score": "score",
    "evidence": "evidence",
    "application": "application",
    "review": "member_application",  # the review page is keyed by the application
    "export": "export",
    "annual": "annual",
    "organization": "branch",
    "member": "fellow",
    "campaign": "campaign",
}
# … unless the full URL name says otherwise.
OBJECT_FOR_NAME = {
    "learning:activity.attachment": "attachment",
    "learning:activity.attachment_delete": "attachment",
    "appraisal:evidence.download": "evidence",
}


class NoParameterValue(LookupError):
    pass


def _entity(pattern) -> str:
    return pattern.key.rpartition(":")[2].partition(".")[0]


def _world_object(world, attribute):
    return getattr(world, attribute)


def _admin_object(world, model):
    for value in vars(world).values():
        if isinstance(value, model):
            return value
    return model._default_manager.order_by("pk").first()


def fill(pattern, world, attribute=None) -> tuple[dict, object | None]:
    """(URL kwargs, the object they name) for ``pattern``; NoParameterValue when unknown.

    ``attribute``: the world object ``pk`` names instead of the usual one."""
    values, target = {}, None
    model_admin = getattr(pattern.callback, "model_admin", None)
    for param in pattern.params:
        if pattern.key.startswith("admin:"):
            value, obj = _admin_value(param, pattern, world, model_admin)
        else:
            value, obj = _portal_value(param, pattern, world, attribute)
        values[param] = value
        target = target or obj
    return values, target


def _portal_value(param, pattern, world, override=None):
    if param in {"pk", "id"} and override:
        obj = getattr(world, override)
        return obj.pk, obj
    if param == "year":
        return world.campaign.year, world.campaign
    if param in {"pk", "id"}:
        attribute = OBJECT_FOR_NAME.get(pattern.key) or OBJECT_FOR_ENTITY.get(_entity(pattern))
    elif param.endswith(("_pk", "_id")):
        attribute = OBJECT_FOR_ENTITY.get(param.rsplit("_", 1)[0])
    else:
        attribute = OBJECT_FOR_ENTITY.get(param)
    if attribute is None:
        raise NoParameterValue(
            f"{pattern.key}: no object for parameter {param!r}; add the entity to "
            "OBJECT_FOR_ENTITY / OBJECT_FOR_NAME in tests/permission_matrix/params.py"
        )
    obj = _world_object(world, attribute)
    return obj.pk, obj


def _admin_value(param, pattern, world, model_admin):
    if param == "app_label":
        return "campaigns", None
    if param == "url":
        return "no-such-page/", None
    if param == "content_type_id":
        return ContentType.objects.get_for_model(type(world.branch)).pk, None
    if param == "object_id" and model_admin is None:  # view_on_site
        return world.branch.pk, None
    if param == "id" and model_admin is None:  # the user admin's password form
        return world.fellow.user.pk, world.fellow.user
    if param in {"object_id", "id"} and model_admin is not None:
        obj = _admin_object(world, model_admin.model)
        return (obj.pk if obj is not None else 0), obj
    raise NoParameterValue(f"{pattern.key}: no value for admin parameter {param!r}")
