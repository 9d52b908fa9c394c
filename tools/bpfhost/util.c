// SPDX-License-Identifier: BSD-2-Clause
/* Helpers shared by the CLI subcommands: hex and file input, names. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

int cli_parse_hex(const char *s, uint8_t **out, size_t *len)
{
	size_t cap = strlen(s) / 2 + 1, n = 0;
	uint8_t *buf = malloc(cap);
	int hi = -1;

	if (!buf)
		return -1;
	for (; *s; s++) {
		int v;

		if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X') && hi < 0) {
			s++;
			continue;
		}
		if (isspace((unsigned char)*s) || *s == ',') {
			if (hi >= 0)
				goto bad; /* odd digit count in a token */
			continue;
		}
		v = hexval((unsigned char)*s);
		if (v < 0)
			goto bad;
		if (hi < 0) {
			hi = v;
		} else {
			buf[n++] = (uint8_t)(hi << 4 | v);
			hi = -1;
		}
	}
	if (hi >= 0)
		goto bad;
	*out = buf;
	*len = n;
	return 0;
bad:
	free(buf);
	return -1;
}

int cli_read_file(const char *path, uint8_t **out, size_t *len)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
	uint8_t *buf = NULL;
	size_t cap = 0, n = 0, got;

	if (!f)
		return -errno;
	do {
		if (n == cap) {
			uint8_t *nb;

			cap = cap ? cap * 2 : 4096;
			nb = realloc(buf, cap);
			if (!nb) {
				free(buf);
				if (f != stdin)
					fclose(f);
				return -ENOMEM;
			}
			buf = nb;
		}
		got = fread(buf + n, 1, cap - n, f);
		n += got;
	} while (got);
	if (f != stdin)
		fclose(f);
	*out = buf;
	*len = n;
	return 0;
}

const char *cli_map_type_name(uint32_t type)
{
	switch (type) {
	case 1:
		return "hash";
	case 2:
		return "array";
	case 5:
		return "percpu_hash";
	case 6:
		return "percpu_array";
	case 27:
		return "ringbuf";
	default:
		return "unknown";
	}
}

void cli_json_str(const char *s)
{
	putchar('"');
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

void cli_quiet_log(void *ctx, enum bpfhost_log_level level, const char *msg)
{
	(void)ctx;
	(void)level;
	(void)msg;
}
