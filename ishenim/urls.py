from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

from appeals import views_public
from ishenim import views
from schools import views_staff as schools_views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.health, name="health"),
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("table/", views_public.neutral, name="neutral"),  # where the box's "quick exit" leads
    path("favicon.ico", views_public.favicon, name="favicon"),
    path("accounts/", include("accounts.urls")),
    path("s/<slug:school>/", include("appeals.urls_public")),
    path("staff/<slug:school>/appeals/", include("appeals.urls_staff")),
    path("staff/<slug:school>/commission/", include("commission.urls")),
    path("staff/<slug:school>/commission/", include("openings.urls")),
    path("staff/<slug:school>/reports/", include("reports.urls")),
    path("district/<slug:district>/", include("reports.urls_district")),
    path("staff/<slug:school>/cases/", include("appeals.urls_case")),
    path("district/<slug:district>/", include("appeals.urls_district")),
    path("", include("journal.urls")),
    path("staff/", include("schools.urls")),
    path("staff/districts/<slug:district>/<path:page>", schools_views.district_moved),
    path("", include("vault.urls")),
    path("", include("audit.urls")),
    path("notify/", include("notify.urls")),
    path("admin/", admin.site.urls),
]
