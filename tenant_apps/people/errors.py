from enum import StrEnum


class PeopleErrorCode(StrEnum):
    EMAIL_TAKEN = "email_taken"
    INVALID_CREDENTIALS = "invalid_credentials"
    LOGIN_THROTTLED = "login_throttled"
    PASSWORD_RESET_THROTTLED = "password_reset_throttled"
    REGISTRATION_CLOSED = "registration_closed"
    REGISTRATION_THROTTLED = "registration_throttled"
    TOKEN_INVALID = "token_invalid"
    TOKEN_REUSED = "token_reused"
    USER_NOT_FOUND = "user_not_found"
    GROUP_NOT_FOUND = "group_not_found"
    GROUP_NAME_TAKEN = "group_name_taken"
    LAST_ADMIN = "last_admin"
    INVALID_PASSWORD = "invalid_password"
    AVATAR_INVALID = "avatar_invalid"
    INVALID_SETTING = "invalid_setting"
    PASSWORD_SIGN_IN_OFF = "password_sign_in_off"
    PERSON_REMOVED = "person_removed"
    REMOVING_SELF = "removing_self"
