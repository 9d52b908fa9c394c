/* SPDX-License-Identifier: BSD-2-Clause */
/* Subcommands of the bpfhost CLI and the small helpers they share. */
#ifndef BPFHOST_CLI_H
#define BPFHOST_CLI_H

#include <stddef.h>
#include <stdint.h>

#include "bpfhost/bpfhost.h"

int cmd_dump(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_conformance_plugin(int argc, char **argv);
int cmd_kfunc(int argc, char **argv);
int cmd_btf(int argc, char **argv);

/* Parse hex bytes ("0a 1b", "0a1b", "0x0a,0x1b" all accepted) into a
 * malloc'ed buffer; -1 on a bad digit. */
int cli_parse_hex(const char *s, uint8_t **out, size_t *len);
/* Read a whole file (or stdin for "-") into a malloc'ed buffer. */
int cli_read_file(const char *path, uint8_t **out, size_t *len);
/* Print s as a JSON string (quoted, escaped). */
void cli_json_str(const char *s);
/* A runtime log callback that drops messages (commands that report
 * errors in their own output). */
void cli_quiet_log(void *ctx, enum bpfhost_log_level level, const char *msg);
/* Name of a Linux map type value. */
const char *cli_map_type_name(uint32_t type);

#endif
