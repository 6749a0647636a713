from django.urls import path

from . import views

app_name = "calendars"

urlpatterns = [
    path("", views.calendar_list, name="list"),
    path("<int:calendar_id>/", views.calendar_detail, name="detail"),
    path("<int:calendar_id>/board/", views.board, name="board"),
    path("<int:calendar_id>/free-busy/", views.free_busy, name="free_busy"),
    path("<int:calendar_id>/board/move/", views.move, name="move"),
    path("<int:calendar_id>/import/", views.import_file, name="import"),
    path("<int:calendar_id>/export.ics", views.export, name="export"),
]
