// SPDX-License-Identifier: BSD-2-Clause
/* The session table: fixed slots, atomic reference counts. */
#include <stdio.h>
#include <string.h>

#include "sessions.h"

static struct session table[MAX_SESSIONS];

struct session *session_open(uint32_t id, const char *user)
{
	for (int i = 0; i < MAX_SESSIONS; i++) {
		struct session *s = &table[i];

		if (s->open || __atomic_load_n(&s->refcnt, __ATOMIC_ACQUIRE))
			continue;
		memset(s, 0, sizeof(*s));
		s->id = id;
		snprintf(s->user, sizeof(s->user), "%s", user);
		s->refcnt = 1;
		s->open = true;
		return s;
	}
	return NULL;
}

void session_close(struct session *s)
{
	s->open = false;
	session_put(s);
}

struct session *session_get(uint32_t id)
{
	for (int i = 0; i < MAX_SESSIONS; i++) {
		struct session *s = &table[i];

		if (s->open && s->id == id) {
			__atomic_add_fetch(&s->refcnt, 1, __ATOMIC_ACQ_REL);
			return s;
		}
	}
	return NULL;
}

void session_put(struct session *s)
{
	__atomic_sub_fetch(&s->refcnt, 1, __ATOMIC_ACQ_REL);
}

struct session *session_next(uint32_t *pos)
{
	while (*pos < MAX_SESSIONS) {
		struct session *s = &table[(*pos)++];

		if (s->open)
			return s;
	}
	return NULL;
}

int session_refs(const struct session *s)
{
	return __atomic_load_n(&s->refcnt, __ATOMIC_ACQUIRE);
}
