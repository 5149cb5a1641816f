from django.urls import path

from tenant_apps.courses import api

urlpatterns = [
    path("courses", api.CourseListApi.as_view(), name="course-list"),
    path("courses/<int:course_id>", api.CourseDetailApi.as_view(), name="api-course-detail"),
    path("courses/<int:course_id>/publish", api.CoursePublishApi.as_view(), name="course-publish"),
    path("courses/<int:course_id>/archive", api.CourseArchiveApi.as_view(), name="course-archive"),
    path(
        "courses/<int:course_id>/thumbnail",
        api.CourseThumbnailApi.as_view(),
        name="course-thumbnail",
    ),
    path(
        "courses/<int:course_id>/sections", api.CourseSectionsApi.as_view(), name="course-sections"
    ),
    path(
        "courses/<int:course_id>/sections/order",
        api.SectionOrderApi.as_view(),
        name="course-sections-order",
    ),
    path("sections/<int:section_id>", api.SectionDetailApi.as_view(), name="section-detail"),
    path(
        "sections/<int:section_id>/lessons",
        api.SectionLessonsApi.as_view(),
        name="section-lessons",
    ),
    path(
        "sections/<int:section_id>/lessons/order",
        api.LessonOrderApi.as_view(),
        name="section-lessons-order",
    ),
    path("lessons/<int:lesson_id>", api.LessonDetailApi.as_view(), name="lesson-detail"),
    path("lessons/<int:lesson_id>/move", api.LessonMoveApi.as_view(), name="lesson-move"),
    path(
        "lessons/<int:lesson_id>/attachment",
        api.LessonAttachmentApi.as_view(),
        name="lesson-attachment",
    ),
    path("lessons/<int:lesson_id>/video", api.LessonVideoApi.as_view(), name="lesson-video"),
    path("categories", api.CategoryListApi.as_view(), name="category-list"),
]
