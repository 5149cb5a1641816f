"""Authors' pages for courses, under /teach/ (see teach_views)."""

from django.urls import path

from tenant_apps.courses import teach_views as views

urlpatterns = [
    path("teach/courses/new/", views.course_new, name="teach-course-new"),
    path("teach/courses/<int:course_id>/", views.course_builder, name="teach-course"),
    path(
        "teach/courses/<int:course_id>/thumbnail/",
        views.course_thumbnail,
        name="teach-course-thumbnail",
    ),
    path(
        "teach/courses/<int:course_id>/thumbnail/remove/",
        views.course_thumbnail_remove,
        name="teach-course-thumbnail-remove",
    ),
    path(
        "teach/courses/<int:course_id>/publish/", views.course_publish, name="teach-course-publish"
    ),
    path(
        "teach/courses/<int:course_id>/archive/", views.course_archive, name="teach-course-archive"
    ),
    path("teach/courses/<int:course_id>/delete/", views.course_delete, name="teach-course-delete"),
    path("teach/courses/<int:course_id>/sections/", views.section_add, name="teach-section-add"),
    path(
        "teach/courses/<int:course_id>/sections/order/",
        views.sections_order,
        name="teach-sections-order",
    ),
    path(
        "teach/sections/<int:section_id>/rename/", views.section_rename, name="teach-section-rename"
    ),
    path(
        "teach/sections/<int:section_id>/delete/", views.section_delete, name="teach-section-delete"
    ),
    path("teach/sections/<int:section_id>/move/", views.section_move, name="teach-section-move"),
    path("teach/sections/<int:section_id>/lessons/", views.lesson_add, name="teach-lesson-add"),
    path(
        "teach/sections/<int:section_id>/lessons/order/",
        views.lessons_order,
        name="teach-lessons-order",
    ),
    path("teach/lessons/<int:lesson_id>/", views.lesson_edit, name="teach-lesson"),
    path("teach/lessons/<int:lesson_id>/move/", views.lesson_move, name="teach-lesson-move"),
    path("teach/lessons/<int:lesson_id>/delete/", views.lesson_delete, name="teach-lesson-delete"),
    path("teach/lessons/<int:lesson_id>/video/", views.lesson_video, name="teach-lesson-video"),
    path(
        "teach/lessons/<int:lesson_id>/attachment/",
        views.lesson_attachment,
        name="teach-lesson-attachment",
    ),
    path("teach/markdown-preview/", views.markdown_preview, name="teach-markdown-preview"),
]
