from tests.approvals.conftest import (  # noqa: F401  (fixtures shared with the approval tests)
    clerks,
    english,
    planned,
    private_media,
    task_catalog,
)
from tests.portal.conftest import public_world  # noqa: F401
