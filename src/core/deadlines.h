/* deadlines.h: how long a client may take over each part of a request.
 * libmicrohttpd closes a connection idle for the client timeout, but a
 * client that sends one byte a second is never idle: here every
 * connection has a deadline for the phase it is in (its headers, its
 * body, reading the answer) and a sweeper thread shuts the socket of one
 * that passes it. Knows nothing of requests or routes. */
#ifndef GZ_DEADLINES_H
#define GZ_DEADLINES_H

/* Starts the sweeper; timeout is the client timeout in seconds, the
 * base of every deadline. */
void deadlines_start(unsigned timeout);
void deadlines_stop(void);
unsigned deadlines_timeout(void);

/* A connection's entry: made when it opens (its headers due within the
 * timeout), dropped when libmicrohttpd reports it closed, before the
 * socket itself is closed, so the sweeper never touches a reused fd. */
void *deadline_open(int fd);
void deadline_close(void *d);
/* The phase's deadline, seconds from now; 0: none (a handler running). */
void deadline_set(void *d, double seconds);

/* Connections cut since start. */
unsigned long long deadlines_cut(void);

#endif
