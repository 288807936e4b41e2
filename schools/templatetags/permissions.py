"""Menus ask the permission map, never for a role: `{% permitted "journal.read" school as may_read %}`."""

from django import template

from schools.access import may

register = template.Library()


@register.simple_tag(takes_context=True)
def permitted(context, permission: str, school) -> bool:
    request = context.get("request")
    return bool(request and school and request.user.is_authenticated and may(request, school, permission))
