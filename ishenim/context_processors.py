from django.conf import settings


def ishenim(request):
    return {"LANGUAGE_CHOICES": settings.LANGUAGES}
