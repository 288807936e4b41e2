from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import HttpResponse
from django.shortcuts import render

from schools.models import School


@login_not_required
def home(request):
    schools = School.objects.select_related("district").order_by("district__name_ky", "name_ky")
    return render(request, "home.html", {"schools": schools})


@login_not_required
def health(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("ok", content_type="text/plain")
