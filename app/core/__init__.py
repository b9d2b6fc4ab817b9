"""Building blocks with no LMS knowledge: time, text, errors, security, database types."""
