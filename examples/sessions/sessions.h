/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The example host's own objects: a small table of refcounted sessions.
 * Nothing here knows about BPF; session_kfuncs.c exposes it to programs.
 */
#ifndef SESSIONS_H
#define SESSIONS_H

#include <stdbool.h>
#include <stdint.h>

struct session {
	uint32_t id;
	char user[16];
	uint64_t bytes;
	int refcnt; /* the table holds one reference while open */
	bool open;
};

#define MAX_SESSIONS 16

struct session *session_open(uint32_t id, const char *user);
void session_close(struct session *s);
struct session *session_get(uint32_t id); /* +1 reference, or NULL */
void session_put(struct session *s);
/* The slot after index *pos that holds an open session, or NULL. */
struct session *session_next(uint32_t *pos);
int session_refs(const struct session *s);

#endif
