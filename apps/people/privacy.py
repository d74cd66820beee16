"""Personal data protection: the permissions, and the one masking rule used by templates (the
``people_privacy`` filters), exports and admin lists.

- ``people.view_personal_identifiers``: see full phone and ID numbers (otherwise masked).
- ``people.view_vulnerable_resident``: see vulnerable-resident records at all.

Both apply on top of scope: a user with a permission still only sees their own subtree.
"""

PERM_IDENTIFIERS = "people.view_personal_identifiers"
PERM_VULNERABLE = "people.view_vulnerable_resident"
MASK = "*"


def can_see_identifiers(user):
    return bool(user and user.is_authenticated and user.has_perm(PERM_IDENTIFIERS))


def can_see_vulnerable(user):
    return bool(user and user.is_authenticated and user.has_perm(PERM_VULNERABLE))


def mask_phone(value):
    """``13812345678`` → ``138****5678``; anything shorter keeps only its last two characters."""
    text = str(value or "")
    if not text:
        return ""
    if len(text) >= 11:
        return f"{text[:3]}{MASK * (len(text) - 7)}{text[-4:]}"
    return MASK * max(len(text) - 2, 1) + text[-2:]


def mask_id_number(value):
    """``310105199001011234`` → ``310***********1234``: the birth date is never shown."""
    text = str(value or "")
    if not text:
        return ""
    if len(text) >= 8:
        return f"{text[:3]}{MASK * (len(text) - 7)}{text[-4:]}"
    return MASK * len(text)


def phone_for(value, reveal):
    return str(value or "") if reveal else mask_phone(value)


def id_number_for(value, reveal):
    return str(value or "") if reveal else mask_id_number(value)
