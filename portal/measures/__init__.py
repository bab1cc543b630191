"""联合惩戒 (joint measures): the credit office applies a measure to a record (书面警示, 约谈告诫, 限制融资 …) with
the unit that must carry it out, its 文号, start date and basis; that unit's officers confirm it 已落实; staff lift
it with a date and reason, and an approved credit repair lifts every measure still in force. Each step is a dated
public entry on the record's page."""
