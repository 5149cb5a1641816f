from enum import StrEnum


class ImportErrorCode(StrEnum):
    FILE_INVALID = "import_file_invalid"
    MAPPING_INVALID = "import_mapping_invalid"
    RUN_NOT_FOUND = "import_run_not_found"
    RUN_STATE = "import_run_state"
    CONFIRMATION_NEEDED = "import_confirmation_needed"
