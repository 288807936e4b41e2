from django.urls import path

from openings import views_staff as v

# Under /staff/<school>/commission/ beside the commission's own pages: the commission opens the box.
app_name = "openings"
urlpatterns = [
    path("openings/", v.openings, name="openings"),
    path("openings/start/", v.opening_start, name="opening_start"),
    path("openings/<int:pk>/", v.opening, name="opening"),
    path("openings/<int:pk>/step/<slug:step>/", v.opening_step, name="opening_step"),
    path("openings/<int:pk>/pages/drop/", v.opening_pages_drop, name="opening_pages_drop"),
    path("openings/<int:pk>/discard/", v.opening_discard, name="opening_discard"),
    path("openings/<int:pk>/act.pdf", v.act_pdf, name="act_pdf"),
    path("openings/<int:pk>/act.docx", v.act_docx, name="act_docx"),
    path("journal/", v.book, name="book"),
    path("journal/<int:year>/", v.book, name="book_year"),
    path("journal/<int:year>/print.pdf", v.book_pdf, name="book_pdf"),
    path("paper-forms/", v.paper_forms, name="paper_forms"),
]
