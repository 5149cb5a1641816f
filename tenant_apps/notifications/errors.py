from enum import StrEnum


class NotificationErrorCode(StrEnum):
    NOTIFICATION_NOT_FOUND = "notification_not_found"
