/* log.h: one-line log records to stderr with a level and a UTC time. */
#ifndef GZ_LOG_H
#define GZ_LOG_H

void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_set_quiet(int quiet);   /* 1: drop info records (tests) */

#endif
