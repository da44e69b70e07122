/* outbox.h: durable email. A write queues its emails in the outbox table
 * inside its own transaction (so a booking and its confirmation commit or
 * fail together); a background worker sends them with retries and
 * backoff, through SMTP (libcurl) or, with no server configured, as .eml
 * files in a folder. A sender leases a row before sending and marks it
 * sent after: a crash between the two sends it again (same Message-ID),
 * never loses it. */
#ifndef GZ_OUTBOX_H
#define GZ_OUTBOX_H
#include "db.h"

struct mail_config {
	const char *smtp_url;   /* smtp://host:port, smtps://… ; NULL: write files */
	const char *from;       /* "Gazette <news@example.org>" or an address */
	const char *dir;        /* where .eml files go without SMTP */
	int retry_seconds;      /* first retry delay; doubles up to an hour */
};

/* Queues a text/plain UTF-8 email, with an optional attachment. 0 or -1. */
int outbox_add(struct db_conn *c, const char *to, const char *subject, const char *body,
    const char *attach_name, const char *attach_type, const char *attach);
/* Sends what is due now; returns the number sent, -1 on a database error. */
int outbox_run(struct db *db, const struct mail_config *cfg);
/* The worker thread: outbox_run about every second. */
void outbox_start(struct db *db, const struct mail_config *cfg);
void outbox_stop(void);

#endif
