from functools import wraps

from django.views.decorators.clickjacking import xframe_options_exempt


def embeddable(view):
    """Let the school's own website show this page in an iframe."""

    @xframe_options_exempt
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response.embeddable = True
        return response

    return wrapper
