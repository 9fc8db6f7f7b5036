// SPDX-License-Identifier: GPL-3.0-or-later
// The service's log levels (LOG_LEVEL), shared by the configuration and the logger.
export type LogLevel = 'debug' | 'info' | 'warning' | 'error';
