/*
 * lockscope-misses: reads the probe-miss counters of a running bpftrace (or any BPF loader) on a
 * target, with exact CLOCK_MONOTONIC times, so Lockscope can tell which trace windows a missed
 * probe may touch. Lockscope proves "the lock was NOT held" from the *absence* of a mutex_lock
 * event in a window; that proof holds only if no probe was skipped in the window, and these
 * readings, (time, cumulative misses) bracketing every window, are what show it.
 *
 * Usage: lockscope-misses --pid PID [--interval-ms N] [--group NAME]
 *                         [--witness p:SYMBOL]... [--witness r:SYMBOL]... [--tracefs DIR]
 *   --pid PID          the process whose BPF programs and links are read (bpftrace); the run
 *                      ends (exit 0) when it no longer exists (gone, or a zombie)
 *   --interval-ms N    time between readings, 10..10000 (default 100)
 *   --witness p:SYM    a kprobe witness at SYM (r:SYM: a kretprobe witness), see below
 *   --group NAME       tracefs group of the witnesses, [A-Za-z0-9_]+ (default lockscope_<own pid>)
 *   --tracefs DIR      tracefs mount (default /sys/kernel/tracing, else /sys/kernel/debug/tracing)
 * Built static by bpf/workload/build.sh -> build/bpf/lockscope-misses; copy it to the target.
 *
 * Sources summed into a reading's total, each a monotonic counter:
 *   - every `anon_inode:bpf-prog` fd of PID: `recursion_misses` from /proc/PID/fdinfo/FD (the
 *     program was skipped because a BPF program was already running on the CPU; fentry/fexit
 *     recursion too);
 *   - every `anon_inode:bpf_link` fd: its `missed:` line when there is one. On the sid lab guest
 *     (Linux 7.2, bpftrace 0.27) a wildcard kprobe is a `kprobe_multi` link (fprobe misses) and
 *     a single kprobe a `perf` link whose fdinfo also shows `missed:` (the kprobe's nmissed);
 *   - every witness's nmissed (third column of <tracefs>/kprobe_profile).
 * Perf-event kprobes without a link (bpftrace 0.17 on 6.1: `anon_inode:[perf_event]` fds) keep
 * their nmissed where no file shows it. A witness recovers it: a kprobe created through tracefs
 * at the same address (left disabled) is aggregated with bpftrace's kprobe, and on a miss the
 * kernel increments nmissed of every kprobe in the aggregate (kprobes_inc_nmissed_count).
 * Measured on the 6.1 lab guest: a witness on htab_map_update_elem counted bpftrace's misses
 * there (and stayed 0 on mutex_lock under a quiet mutex_lock probe). Limits, from the kernel
 * source (not measured): a kretprobe's return-side misses and its "no free instance" misses go
 * to that kretprobe only, so a witness sees only the entry-side (aggregated) misses; and on 6.1
 * a perf kprobe whose BPF program is skipped because another BPF program is running on the CPU
 * (trace_call_bpf's bpf_prog_active check) is counted nowhere.
 *
 * Reading the sources must not fire the probes it counts: files are read with readv, which does
 * not go through vfs_read (measured: with plain read() a bpftrace probe on vfs_read made every
 * reading unsettled). Anything else the probes see between A and B, this reader's own syscalls
 * included, only makes that reading unsettled.
 *
 * A reading: read A (every source, and the composition: the sorted prog and link ids, the counts
 * below), then t = clock_gettime(CLOCK_MONOTONIC), then read B the same way. Each counter only
 * grows, and each was read once before t (A) and once after t (B). When A and B have the same
 * composition and the same total (hence every counter unchanged), each counter had exactly that
 * value at t: the reading is exact, not an estimate. Otherwise the line says `unsettled`.
 * Totals of two readings compare (the later minus the earlier = misses between them) only when
 * no `sources` line comes between them: when a program or link goes or comes, the sum's terms
 * change and the total can fall (bpftrace detaching) or jump.
 * bpftrace's `nsecs` is CLOCK_MONOTONIC too, so t compares directly with event times.
 *
 * Output (stdout, line-buffered), one event per line:
 *   LSM sources progs=<n> links=<n> kprobe_multi=<n> kprobe_multi_missed=<n> perf_events=<n> perf_kprobes=<n> witnesses=<n> perf_links_missed=<n>
 *       before the first `reading`, and before any `reading` whose composition differs from
 *       the last one printed. kprobe_multi: links whose link_type is kprobe_multi;
 *       kprobe_multi_missed: those with a missed: line (the others' misses are not counted);
 *       perf_events: `[perf_event]` fds; perf_kprobes: those that are a kprobe or kretprobe with
 *       a BPF program, found with bpf(BPF_TASK_FD_QUERY) (a perf event's fdinfo shows no
 *       attr type, neither on 6.1 nor on 6.18); perf_links_missed: links of link_type `perf`
 *       with a missed: line (kprobes whose misses are counted without a witness; the others
 *       need a witness at their symbol).
 *   LSM reading <t_ns> <total>       exact cumulative misses at CLOCK_MONOTONIC t_ns
 *   LSM unsettled <t_ns>             A and B differed: no value for this instant
 *   LSM error <text>                 then a non-zero exit
 * Exit status: 0 PID ended, or SIGINT/SIGTERM/SIGHUP; 1 a runtime error (no such PID at start,
 * /proc/PID/fd unreadable, a witness lost from kprobe_profile, a witness not removed, stdout
 * closed or SIGPIPE); 2 bad options (usage on stderr); 3 a witness could not be created (those
 * created are removed). Witnesses are removed on every exit but SIGKILL; a later start removes
 * groups named lockscope_<pid> whose pid is no live process.
 * Witness names: GROUP/GROUP_w0, GROUP/GROUP_w1, ... kprobe_profile names a probe by its event
 * name only (not its group), so the group is repeated in the event name to keep it unique; a
 * witness must appear exactly once there.
 *
 * Real output, in the bookworm 6.1 lab guest (bpftrace 0.17, perf-event kprobes, a witness):
 *   # bpftrace -e 'kprobe:htab_map_update_elem { @h = count(); } kprobe:vfs_read { @r[tid] = 1; }' &
 *   # /tmp/lockscope-misses --pid $! --interval-ms 200 --witness p:htab_map_update_elem
 *   LSM sources progs=2 links=0 kprobe_multi=0 kprobe_multi_missed=0 perf_events=4 perf_kprobes=2 witnesses=1 perf_links_missed=0
 *   LSM reading 1338578350120 0
 *   LSM reading 1338827404950 33
 *   LSM reading 1339043961350 157
 *   LSM unsettled 1339982049620
 *   LSM reading 1340238105750 206
 * (vfs_read's program updates a hash map, so htab_map_update_elem's kprobe fires inside a
 * kprobe and is missed: files read -> misses.) In the sid guest (7.2, bpftrace 0.27), with
 * kprobe:htab_map_update_elem* and kprobe:ksys_read* (kprobe_multi links):
 *   LSM sources progs=2 links=2 kprobe_multi=2 kprobe_multi_missed=2 perf_events=0 perf_kprobes=0 witnesses=0 perf_links_missed=0
 *   LSM reading 1207862335866 5199
 *   LSM reading 1208221282291 5204
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <linux/bpf.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#define MAX_WITNESSES 32
#define MAX_IDS 4096
#define MAX_SYMBOL 128
#define MAX_GROUP 40

struct witness {
  char kind;                  /* 'p' or 'r' */
  char symbol[MAX_SYMBOL + 1];
  char event[64];             /* GROUP_wN */
  bool created;
};

/* One read of every source. */
struct sample {
  uint64_t total;
  uint64_t wmissed[MAX_WITNESSES];
  unsigned progs, links, kprobe_multi, kprobe_multi_missed, perf_links_missed, perf_events, perf_kprobes;
  bool vanished;  /* an fd closed while being read: the composition is in flux */
  size_t nids;
  uint64_t ids[MAX_IDS]; /* (1 << 32 | prog id), (2 << 32 | link id), sorted */
};

static long target;
static unsigned interval_ms = 100;
static char group[MAX_GROUP + 1];
static char tracefs[PATH_MAX];
static struct witness wit[MAX_WITNESSES];
static int nwit;
static volatile sig_atomic_t got_signal;

static void on_signal(int sig) { got_signal = sig; }

/* The whole file, NUL-terminated (free it), or NULL with errno set. Read with readv, which
 * never goes through vfs_read: reading our sources must not fire a probe on vfs_read (or on
 * what its BPF program calls) and so perturb the very counters being read. */
static char *slurp(const char *path) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return NULL;
  size_t len = 0, cap = 4096;
  char *buf = malloc(cap);
  for (;;) {
    if (!buf) break;
    struct iovec iov = {buf + len, cap - 1 - len};
    ssize_t n = readv(fd, &iov, 1);
    if (n <= 0) {
      if (n < 0) {
        int err = errno;
        free(buf);
        buf = NULL;
        errno = err;
      }
      break;
    }
    len += (size_t)n;
    if (cap - 1 - len == 0) {
      char *bigger = realloc(buf, cap *= 2);
      if (!bigger) free(buf);
      buf = bigger;
    }
  }
  int err = errno;
  close(fd);
  errno = err;
  if (buf) buf[len] = '\0';
  return buf;
}

/* The next line of *cursor (without its newline), or NULL at the end; modifies the buffer. */
static char *next_line(char **cursor) {
  char *line = *cursor;
  if (!line || *line == '\0') return NULL;
  char *nl = strchr(line, '\n');
  if (nl) {
    *nl = '\0';
    *cursor = nl + 1;
  } else {
    *cursor = line + strlen(line);
  }
  return line;
}

static void usage(FILE *f) {
  fputs("Usage: lockscope-misses --pid PID [--interval-ms N (default 100, 10..10000)] [--group NAME]\n"
        "                        [--witness p:SYMBOL]... [--witness r:SYMBOL]... [--tracefs DIR]\n"
        "Prints 'LSM reading <CLOCK_MONOTONIC ns> <cumulative misses>' every interval until PID ends.\n",
        f);
}

static void bad_usage(const char *fmt, const char *arg) {
  fputs("lockscope-misses: error: ", stderr);
  fprintf(stderr, fmt, arg);
  fputc('\n', stderr);
  usage(stderr);
  exit(2);
}

/* One `LSM error` line on stdout. */
static void lsm_error(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fputs("LSM error ", stdout);
  vfprintf(stdout, fmt, ap);
  va_end(ap);
  fputc('\n', stdout);
  fflush(stdout);
}

static bool all_of(const char *s, const char *extra) {
  if (*s == '\0') return false;
  for (; *s; s++)
    if (!isalnum((unsigned char)*s) && !strchr(extra, *s)) return false;
  return true;
}

static bool pid_alive(long pid) {
  char path[64];
  snprintf(path, sizeof path, "/proc/%ld/stat", pid);
  char *buf = slurp(path);
  if (!buf) return false;
  const char *p = strrchr(buf, ')'); /* comm may hold spaces and parentheses */
  bool alive = p && p[1] == ' ' && p[2] != 'Z' && p[2] != 'X';
  free(buf);
  return alive;
}

/* ---- witnesses (tracefs kprobe_events / kprobe_profile) ---- */

static void tracefs_path(char *out, size_t len, const char *file) { snprintf(out, len, "%s/%s", tracefs, file); }

/* Appends one command to kprobe_events (O_APPEND, never O_TRUNC: that would delete every
 * kprobe event on the machine). Returns 0 or an errno, negated when the file did not open. */
static int kprobe_events_write(const char *cmd) {
  char path[PATH_MAX + 32];
  tracefs_path(path, sizeof path, "kprobe_events");
  int fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
  if (fd < 0) return -errno;
  size_t len = strlen(cmd);
  ssize_t w = write(fd, cmd, len);
  int err = w == (ssize_t)len ? 0 : w < 0 ? errno : EIO;
  if (close(fd) != 0 && err == 0) err = errno;
  return err;
}

/* Removes events of groups lockscope_<pid> whose pid is no live process (left by a SIGKILL). */
static void remove_stale_groups(void) {
  char path[PATH_MAX + 32], *line;
  tracefs_path(path, sizeof path, "kprobe_events");
  char *text = slurp(path), *cursor = text;
  if (!text) return; /* creation reports the reason */
  char stale[64][MAX_GROUP + MAX_SYMBOL + 16];
  int n = 0;
  while ((line = next_line(&cursor)) && n < 64) {
    /* "p:GROUP/EVENT SYMBOL..." or "r16:GROUP/EVENT ..." */
    char *colon = strchr(line, ':'), *slash = colon ? strchr(colon, '/') : NULL;
    if (!slash || strncmp(colon + 1, "lockscope_", 10) != 0) continue;
    char *end = slash + strcspn(slash, " \t");
    char *digits = colon + 11, *stop;
    long pid = strtol(digits, &stop, 10);
    if (stop == digits || stop != slash || pid <= 0 || (pid == getpid())) continue;
    if (kill((pid_t)pid, 0) == 0 || errno != ESRCH) continue;
    snprintf(stale[n++], sizeof stale[0], "-:%.*s\n", (int)(end - colon - 1), colon + 1);
  }
  free(text);
  for (int i = 0; i < n; i++) {
    int err = abs(kprobe_events_write(stale[i]));
    fprintf(stderr, "lockscope-misses: stale witness %.*s %s%s\n", (int)strcspn(stale[i] + 2, "\n"), stale[i] + 2,
            err ? "not removed: " : "removed", err ? strerror(err) : "");
  }
}

/* Removes the witnesses created; returns false when one could not be removed. */
static bool remove_witnesses(void) {
  bool ok = true;
  for (int i = 0; i < nwit; i++) {
    if (!wit[i].created) continue;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "-:%s/%s\n", group, wit[i].event);
    int err = abs(kprobe_events_write(cmd));
    if (err) {
      lsm_error("witness %c:%s (%s/%s) not removed: %s", wit[i].kind, wit[i].symbol, group, wit[i].event, strerror(err));
      ok = false;
    } else {
      wit[i].created = false;
    }
  }
  return ok;
}

static bool create_witnesses(void) {
  for (int i = 0; i < nwit; i++) {
    char cmd[256];
    snprintf(cmd, sizeof cmd, "%c:%s/%s %s\n", wit[i].kind, group, wit[i].event, wit[i].symbol);
    int err = kprobe_events_write(cmd);
    if (err) {
      lsm_error("witness %c:%s (%s/%s) not created: %s %s/kprobe_events: %s", wit[i].kind, wit[i].symbol, group, wit[i].event,
                err < 0 ? "cannot open" : "refused by", tracefs, strerror(abs(err)));
      return false;
    }
    wit[i].created = true;
  }
  return true;
}

/* Fills s->wmissed from kprobe_profile ("  EVENT  HITS  NMISSED"); false (after an LSM error
 * line) when a witness is not there exactly once. */
static bool read_witnesses(struct sample *s) {
  if (nwit == 0) return true;
  char path[PATH_MAX + 32], *line, name[128];
  int seen[MAX_WITNESSES] = {0};
  unsigned long long hits, missed;
  tracefs_path(path, sizeof path, "kprobe_profile");
  char *text = slurp(path), *cursor = text;
  if (!text) {
    lsm_error("cannot read %s: %s", path, strerror(errno));
    return false;
  }
  while ((line = next_line(&cursor))) {
    if (sscanf(line, "%127s %llu %llu", name, &hits, &missed) != 3) continue;
    for (int i = 0; i < nwit; i++)
      if (strcmp(name, wit[i].event) == 0) {
        seen[i]++;
        s->wmissed[i] = missed;
        s->total += missed;
      }
  }
  free(text);
  for (int i = 0; i < nwit; i++)
    if (seen[i] != 1) {
      lsm_error("witness %s/%s is %s kprobe_profile", group, wit[i].event, seen[i] ? "not unique in" : "missing from");
      return false;
    }
  return true;
}

/* ---- the target's fds ---- */

/* The value of the line "KEY:\tVALUE" in an fdinfo text; false when absent. */
static bool fdinfo_value(const char *text, const char *key, char *out, size_t outlen) {
  size_t klen = strlen(key);
  for (const char *line = text; *line;) {
    if (strncmp(line, key, klen) == 0 && line[klen] == ':') {
      const char *v = line + klen + 1;
      v += strspn(v, " \t");
      snprintf(out, outlen, "%.*s", (int)strcspn(v, "\n"), v);
      return true;
    }
    line += strcspn(line, "\n");
    if (*line) line++;
  }
  return false;
}

static bool fdinfo_u64(const char *text, const char *key, uint64_t *out) {
  char v[64], *end;
  if (!fdinfo_value(text, key, v, sizeof v)) return false;
  errno = 0;
  unsigned long long x = strtoull(v, &end, 10);
  if (end == v || errno) return false;
  *out = x;
  return true;
}

/* Is the target's fd a perf event with a kprobe or kretprobe BPF program attached? */
static bool perf_fd_is_kprobe(unsigned fd) {
  char buf[256];
  union bpf_attr a;
  memset(&a, 0, sizeof a);
  a.task_fd_query.pid = (uint32_t)target;
  a.task_fd_query.fd = fd;
  a.task_fd_query.buf = (uint64_t)(uintptr_t)buf;
  a.task_fd_query.buf_len = sizeof buf;
  if (syscall(SYS_bpf, BPF_TASK_FD_QUERY, &a, sizeof a) != 0 && errno != ENOSPC) return false;
  return a.task_fd_query.fd_type == BPF_FD_TYPE_KPROBE || a.task_fd_query.fd_type == BPF_FD_TYPE_KRETPROBE;
}

static int cmp_u64(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return (x > y) - (x < y);
}

enum read_result { READ_OK, READ_GONE, READ_ERROR };

static enum read_result read_sources(struct sample *s) {
  char path[320], link[128];
  memset(s, 0, sizeof *s);
  snprintf(path, sizeof path, "/proc/%ld/fd", target);
  DIR *d = opendir(path);
  if (!d) {
    if (errno == ENOENT || errno == ESRCH || !pid_alive(target)) return READ_GONE;
    lsm_error("cannot read %s: %s", path, strerror(errno));
    return READ_ERROR;
  }
  struct dirent *e;
  while ((e = readdir(d))) {
    if (e->d_name[0] == '.') continue;
    snprintf(path, sizeof path, "/proc/%ld/fd/%s", target, e->d_name);
    ssize_t n = readlink(path, link, sizeof link - 1);
    if (n < 0) {
      s->vanished = true;
      continue;
    }
    link[n] = '\0';
    int kind = strcmp(link, "anon_inode:bpf-prog") == 0   ? 1
               : strcmp(link, "anon_inode:bpf_link") == 0 ? 2
               : strcmp(link, "anon_inode:[perf_event]") == 0 ? 3
                                                              : 0;
    if (kind == 0) continue;
    if (kind == 3) {
      s->perf_events++;
      if (perf_fd_is_kprobe((unsigned)strtoul(e->d_name, NULL, 10))) s->perf_kprobes++;
      continue;
    }
    snprintf(path, sizeof path, "/proc/%ld/fdinfo/%s", target, e->d_name);
    char *f = slurp(path);
    uint64_t id = 0, v = 0;
    if (!f || !fdinfo_u64(f, kind == 1 ? "prog_id" : "link_id", &id)) {
      s->vanished = true; /* closed between readdir and open: not an error, just unsettled */
      free(f);
      continue;
    }
    if (s->nids < MAX_IDS) s->ids[s->nids++] = (uint64_t)kind << 32 | id;
    if (kind == 1) {
      s->progs++;
      if (fdinfo_u64(f, "recursion_misses", &v)) s->total += v;
    } else {
      char type[64];
      if (!fdinfo_value(f, "link_type", type, sizeof type)) type[0] = '\0';
      bool multi = strcmp(type, "kprobe_multi") == 0;
      bool has_missed = fdinfo_u64(f, "missed", &v);
      s->links++;
      s->kprobe_multi += multi;
      s->kprobe_multi_missed += multi && has_missed;
      s->perf_links_missed += strcmp(type, "perf") == 0 && has_missed;
      if (has_missed) s->total += v;
    }
    free(f);
  }
  closedir(d);
  qsort(s->ids, s->nids, sizeof s->ids[0], cmp_u64);
  return read_witnesses(s) ? READ_OK : READ_ERROR;
}

static bool same_composition(const struct sample *a, const struct sample *b) {
  return a->progs == b->progs && a->links == b->links && a->kprobe_multi == b->kprobe_multi &&
         a->kprobe_multi_missed == b->kprobe_multi_missed && a->perf_links_missed == b->perf_links_missed &&
         a->perf_events == b->perf_events &&
         a->perf_kprobes == b->perf_kprobes && a->nids == b->nids &&
         memcmp(a->ids, b->ids, a->nids * sizeof a->ids[0]) == 0;
}

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Prints one line; false when stdout is gone. */
static bool out(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vfprintf(stdout, fmt, ap);
  va_end(ap);
  return fflush(stdout) == 0 && !ferror(stdout);
}

/* The loop; returns the exit status. Signals are blocked except while sleeping (ppoll). */
static int run(const sigset_t *sleepmask) {
  static struct sample a, b, printed;
  bool have_printed = false;
  for (;;) {
    if (!pid_alive(target)) return 0; /* gone, or a zombie (its fds already closed) */
    enum read_result r = read_sources(&a);
    if (r != READ_OK) return r == READ_GONE ? 0 : 1;
    uint64_t t = now_ns();
    r = read_sources(&b);
    if (r != READ_OK) return r == READ_GONE ? 0 : 1;
    bool settled = !a.vanished && !b.vanished && same_composition(&a, &b) && a.total == b.total &&
                   memcmp(a.wmissed, b.wmissed, sizeof a.wmissed) == 0;
    bool ok = true;
    if (settled && (!have_printed || !same_composition(&a, &printed))) {
      ok = out("LSM sources progs=%u links=%u kprobe_multi=%u kprobe_multi_missed=%u perf_events=%u perf_kprobes=%u "
               "witnesses=%d perf_links_missed=%u\n",
               a.progs, a.links, a.kprobe_multi, a.kprobe_multi_missed, a.perf_events, a.perf_kprobes, nwit,
               a.perf_links_missed);
      printed = a;
      have_printed = true;
    }
    if (ok) ok = settled ? out("LSM reading %" PRIu64 " %" PRIu64 "\n", t, a.total) : out("LSM unsettled %" PRIu64 "\n", t);
    if (!ok) return 1; /* stdout closed: nobody reads the readings */
    struct timespec ts = {interval_ms / 1000, (long)(interval_ms % 1000) * 1000000L};
    ppoll(NULL, 0, &ts, sleepmask); /* a signal ends the sleep; handlers only set got_signal */
    if (got_signal) return got_signal == SIGPIPE ? 1 : 0;
  }
}

int main(int argc, char **argv) {
  static const struct option opts[] = {
      {"pid", required_argument, NULL, 'p'},     {"interval-ms", required_argument, NULL, 'i'},
      {"group", required_argument, NULL, 'g'},   {"witness", required_argument, NULL, 'w'},
      {"tracefs", required_argument, NULL, 't'}, {"help", no_argument, NULL, 'h'},
      {NULL, 0, NULL, 0}};
  char *end;
  opterr = 0;
  int c;
  while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
    switch (c) {
    case 'p':
      errno = 0;
      target = strtol(optarg, &end, 10);
      if (!isdigit((unsigned char)optarg[0]) || *end || errno || target <= 0 || target > INT_MAX)
        bad_usage("--pid must be a process id, not '%s'", optarg);
      break;
    case 'i': {
      errno = 0;
      long v = strtol(optarg, &end, 10);
      if (!isdigit((unsigned char)optarg[0]) || *end || errno || v < 10 || v > 10000)
        bad_usage("--interval-ms must be a whole number from 10 to 10000, not '%s'", optarg);
      interval_ms = (unsigned)v;
      break;
    }
    case 'g':
      if (!all_of(optarg, "_") || strlen(optarg) > MAX_GROUP)
        bad_usage("--group must be 1 to 40 of [A-Za-z0-9_], not '%s'", optarg);
      snprintf(group, sizeof group, "%s", optarg);
      break;
    case 'w':
      if ((optarg[0] != 'p' && optarg[0] != 'r') || optarg[1] != ':' || !all_of(optarg + 2, "_.") ||
          strlen(optarg + 2) > MAX_SYMBOL)
        bad_usage("--witness must be p:SYMBOL or r:SYMBOL, SYMBOL of [A-Za-z0-9_.], not '%s'", optarg);
      if (nwit == MAX_WITNESSES) bad_usage("at most 32 witnesses%s", "");
      wit[nwit].kind = optarg[0];
      snprintf(wit[nwit].symbol, sizeof wit[nwit].symbol, "%s", optarg + 2);
      nwit++;
      break;
    case 't':
      if (optarg[0] == '\0' || strlen(optarg) >= PATH_MAX - 32) bad_usage("bad --tracefs '%s'", optarg);
      snprintf(tracefs, sizeof tracefs, "%s", optarg);
      break;
    case 'h':
      usage(stdout);
      return 0;
    case ':':
      bad_usage("option '%s' needs a value", argv[optind - 1]);
      break;
    default:
      bad_usage("unknown option '%s'", argv[optind - 1]);
    }
  }
  if (optind < argc) bad_usage("unexpected argument '%s'", argv[optind]);
  if (target == 0) bad_usage("--pid is required%s", "");
  setvbuf(stdout, NULL, _IOLBF, 0);

  if (group[0] == '\0') snprintf(group, sizeof group, "lockscope_%ld", (long)getpid());
  for (int i = 0; i < nwit; i++) snprintf(wit[i].event, sizeof wit[i].event, "%s_w%d", group, i);
  if (tracefs[0] == '\0') {
    bool dbg = access("/sys/kernel/tracing/kprobe_events", F_OK) != 0 && access("/sys/kernel/debug/tracing/kprobe_events", F_OK) == 0;
    snprintf(tracefs, sizeof tracefs, "%s", dbg ? "/sys/kernel/debug/tracing" : "/sys/kernel/tracing");
  }

  /* Signals stay blocked except inside ppoll, so none can land between a check and the sleep,
   * and a write to a closed stdout fails with EPIPE instead of killing us before cleanup. */
  static const int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGPIPE};
  sigset_t block, sleepmask;
  sigemptyset(&block);
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
    sigaction(sigs[i], &sa, NULL);
    sigaddset(&block, sigs[i]);
  }
  sigprocmask(SIG_BLOCK, &block, &sleepmask);
  sigdelset(&sleepmask, SIGINT), sigdelset(&sleepmask, SIGTERM), sigdelset(&sleepmask, SIGHUP), sigdelset(&sleepmask, SIGPIPE);

  if (!pid_alive(target)) {
    lsm_error("no process %ld", target);
    return 1;
  }
  if (nwit > 0) {
    remove_stale_groups();
    if (!create_witnesses()) {
      remove_witnesses();
      return 3;
    }
  }
  int status = run(&sleepmask);
  if (!remove_witnesses() && status == 0) status = 1;
  return status;
}
