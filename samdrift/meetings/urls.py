from django.urls import path

from . import views

app_name = "meetings"

urlpatterns = [
    path("", views.my_rooms, name="mine"),
    path("workspace/<int:workspace_id>/", views.workspace_rooms, name="workspace"),
    path("<int:room_id>/", views.room, name="room"),
]
