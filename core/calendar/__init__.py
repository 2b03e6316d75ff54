"""Business calendars: working hours, holidays and 调休 working days, and SLA arithmetic."""
