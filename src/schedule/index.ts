// SPDX-License-Identifier: GPL-3.0-or-later
// OnCalendar schedules of backup plans -> expected run times (NS8.md §9).
export { parseCalendar, isCalendarError, type Calendar, type CalendarError } from './calendar.js';
export { previousRun, nextRun } from './runs.js';
