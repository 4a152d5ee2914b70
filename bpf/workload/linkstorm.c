/*
 * linkstorm: a workload of linked io_uring requests, for tracing io_uring's link walks.
 *
 * It keeps chains of linked requests in flight on one or more rings: every SQE of a chain but
 * the last carries IOSQE_IO_LINK (or IOSQE_IO_HARDLINK), and by default every SQE carries
 * IOSQE_ASYNC, so the chain's head is queued to io-wq and the worker that runs it walks the
 * chain when it drops each request (io_wq_free_work, or io_wq_put_work on 6.1.191+ ->
 * io_req_find_next), running each next request itself. A chain of N requests makes N-1 walks.
 * With --no-async the requests complete inline and the chains are walked under uring_lock by
 * the submitting task (io_queue_next), not by io-wq.
 *
 * Raw syscalls only (io_uring_setup, io_uring_enter, mmap of the SQ/CQ rings and the SQE
 * array), no liburing, so it builds as a static x86-64 binary that can be copied to hosts
 * without compilers: bpf/workload/build.sh -> build/bpf/linkstorm.
 *
 * Usage: linkstorm [--chain N] [--inflight N] [--rings N] [--threads N] [--duration SECONDS]
 *                  [--chains N] [--op nop|read] [--read-size BYTES] [--hard-links]
 *                  [--async|--no-async] [--help]
 *   (see usage() below or --help for defaults and details)
 *
 * Threads and rings: each thread drives one or more rings; ring i belongs to thread
 * i % threads. --threads defaults to --rings (one thread per ring) and must not exceed it.
 *
 * Output (stdout): a start line with the options, then one final line of totals:
 *   chains       chains whose every request completed (a CQE for each SQE)
 *   requests     SQEs submitted;  completions: CQEs reaped (equal to requests at the end)
 *   errors       CQEs with res < 0, or a short read;  canceled: those with -ECANCELED
 *   failed_chains  chains with at least one error
 * Errors go to stderr as one "linkstorm: error: ..." line.
 * Exit status: 0 all chains completed without error; 1 some CQE failed, or --duration (or a
 * signal) ended the run before --chains was reached; 2 bad options; 3 io_uring unusable (not
 * built in, disabled by sysctl, refused by seccomp, ring too large, ...). SIGINT or SIGTERM
 * stops starting chains like --duration does: the totals are printed once in-flight chains
 * finish (a second signal exits at once, status 130).
 *
 * Real output, on a Debian 12 host (kernel 6.18, 2 CPUs), then in the bookworm 6.1 lab guest
 * (QEMU software emulation):
 *   $ build/bpf/linkstorm --chains 20000 --chain 4
 *   linkstorm start pid=25863 kernel=6.18.44-fc-v782 op=nop chain=4 inflight=32 rings=1 threads=1 link=soft async=1 duration=10 chains=20000
 *   linkstorm chains=20000 requests=80000 completions=80000 errors=0 canceled=0 failed_chains=0 seconds=0.060 chains_per_s=332941.5 requests_per_s=1331765.8
 *   # /tmp/linkstorm --duration 3
 *   linkstorm start pid=169 kernel=6.1.0-56-amd64 op=nop chain=4 inflight=32 rings=1 threads=1 link=soft async=1 duration=3 chains=0
 *   linkstorm chains=163443 requests=653772 completions=653772 errors=0 canceled=0 failed_chains=0 seconds=3.009 chains_per_s=54317.1 requests_per_s=217268.2
 * Under bpftrace on the host, 20000 chains of 4 gave io_uring_submit_req 80000, io_uring_link
 * 60000, io_uring_queue_async_work 20000 (only a chain's head is queued; io-wq runs the linked
 * requests itself) and all 80000 io_uring_complete in iou-wrk threads; on 6.1, io_wq_put_work
 * stored a next work 60000 times (the walks) and none 20000 times (the chain tails).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <linux/io_uring.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#ifndef __NR_io_uring_setup
#define __NR_io_uring_setup 425
#endif
#ifndef __NR_io_uring_enter
#define __NR_io_uring_enter 426
#endif

#define MAX_ENTRIES 32768u   /* IORING_MAX_ENTRIES since 5.5 */
#define MAX_CHAIN 4096u
#define MAX_RINGS 1024u
#define DRAIN_GRACE_S 5       /* in-flight chains get this long after --duration to finish */

enum { EXIT_OK = 0, EXIT_FAILED = 1, EXIT_USAGE = 2, EXIT_UNAVAILABLE = 3 };

struct options {
  unsigned chain;
  unsigned inflight;
  unsigned rings;
  unsigned threads;
  double duration;
  uint64_t chains; /* 0: no limit */
  int op_read;
  unsigned read_size;
  int hard_links;
  int async;
};

static struct options opt = {
    .chain = 4, .inflight = 32, .rings = 1, .threads = 0, .duration = 10.0, .chains = 0,
    .op_read = 0, .read_size = 4096, .hard_links = 0, .async = 1,
};

struct ring {
  int fd;
  int zero_fd;
  unsigned sq_entries, cq_entries;
  unsigned *sq_head, *sq_tail, *sq_mask, *sq_array;
  unsigned *cq_head, *cq_tail, *cq_mask;
  struct io_uring_sqe *sqes;
  struct io_uring_cqe *cqes;
  void *sq_map, *cq_map;
  size_t sq_map_len, cq_map_len, sqes_len;
  unsigned sq_local_tail; /* next SQ tail to publish */
  unsigned to_submit;     /* SQEs written but not yet consumed by the kernel */
  /* chain slots: one per chain in flight */
  unsigned *slot_left;    /* CQEs still expected for the slot's chain; 0 = free */
  unsigned char *slot_failed;
  unsigned *free_slots;
  unsigned nfree;
  unsigned inflight_reqs;
  unsigned char *buffers; /* --op read: chain * inflight buffers of read_size */
};

struct totals {
  uint64_t chains, requests, completions, errors, canceled, failed_chains;
  int first_error;         /* res of the first failed CQE (negative errno, or the short count) */
  int fatal;               /* io_uring_enter failed */
};

struct worker {
  pthread_t thread;
  unsigned index;
  struct totals t;
};

static struct ring *rings;
static atomic_int stop_flag;            /* stop starting chains: deadline, --chains, signal */
static atomic_uint_fast64_t chains_claimed;
static struct timespec start_ts;
static volatile sig_atomic_t signals_seen;

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)(ts.tv_sec - start_ts.tv_sec) + (double)(ts.tv_nsec - start_ts.tv_nsec) / 1e9;
}

static int sys_io_uring_setup(unsigned entries, struct io_uring_params *p) {
  return (int)syscall(__NR_io_uring_setup, entries, p);
}

static int sys_io_uring_enter(int fd, unsigned to_submit, unsigned min_complete, unsigned flags) {
  return (int)syscall(__NR_io_uring_enter, fd, to_submit, min_complete, flags, NULL, (size_t)0);
}

static void usage(FILE *f) {
  fprintf(f,
          "Usage: linkstorm [OPTIONS]\n"
          "Keeps chains of linked io_uring requests in flight so io-wq workers walk link chains\n"
          "(io_wq_free_work / io_wq_put_work -> io_req_find_next). Raw syscalls, no liburing.\n"
          "\n"
          "  --chain N          requests per chain (default 4; 1..%u); all but the last are linked\n"
          "  --inflight N       chains in flight per ring (default 32); chain*inflight <= %u\n"
          "  --rings N          io_uring instances (default 1)\n"
          "  --threads N        submitting threads (default: --rings, one thread per ring);\n"
          "                     ring i is driven by thread i %% N, so N <= --rings\n"
          "  --duration SECONDS stop starting chains after this long (default 10); a hard bound:\n"
          "                     the process exits at most %d s later even if chains are stuck\n"
          "  --chains N         stop after N chains in all (the run still ends at --duration;\n"
          "                     exit 1 if that comes first)\n"
          "  --op nop|read      IORING_OP_NOP (default) or IORING_OP_READ from /dev/zero\n"
          "  --read-size BYTES  buffer size for --op read (default 4096)\n"
          "  --hard-links       IOSQE_IO_HARDLINK instead of IOSQE_IO_LINK\n"
          "  --async            IOSQE_ASYNC on every request (default: chains walked by io-wq)\n"
          "  --no-async         no IOSQE_ASYNC (requests complete inline; no io-wq walks)\n"
          "  --help             this text\n"
          "\n"
          "Prints \"linkstorm start ...\" with the options, then one line of totals:\n"
          "  linkstorm chains=N requests=N completions=N errors=N canceled=N failed_chains=N\n"
          "            seconds=S chains_per_s=R requests_per_s=R\n"
          "Exit: 0 ok; 1 a request failed or --chains not reached; 2 bad options; 3 io_uring unusable.\n",
          MAX_CHAIN, MAX_ENTRIES, DRAIN_GRACE_S);
}

static void die_usage(const char *fmt, const char *arg) {
  fprintf(stderr, "linkstorm: error: ");
  fprintf(stderr, fmt, arg);
  fprintf(stderr, " (see --help)\n");
  exit(EXIT_USAGE);
}

static uint64_t parse_uint(const char *name, const char *s, uint64_t min, uint64_t max) {
  char *end;
  errno = 0;
  if (*s < '0' || *s > '9') {
    die_usage(name, s);
  }
  unsigned long long v = strtoull(s, &end, 10);
  if (errno != 0 || *end != '\0' || v < min || v > max) {
    die_usage(name, s);
  }
  return v;
}

static void parse_options(int argc, char **argv) {
  enum { OPT_CHAIN = 256, OPT_INFLIGHT, OPT_RINGS, OPT_THREADS, OPT_DURATION, OPT_CHAINS, OPT_OP, OPT_READ_SIZE,
         OPT_HARD, OPT_ASYNC, OPT_NO_ASYNC, OPT_HELP };
  static const struct option longopts[] = {
      {"chain", required_argument, NULL, OPT_CHAIN},
      {"inflight", required_argument, NULL, OPT_INFLIGHT},
      {"rings", required_argument, NULL, OPT_RINGS},
      {"threads", required_argument, NULL, OPT_THREADS},
      {"duration", required_argument, NULL, OPT_DURATION},
      {"chains", required_argument, NULL, OPT_CHAINS},
      {"op", required_argument, NULL, OPT_OP},
      {"read-size", required_argument, NULL, OPT_READ_SIZE},
      {"hard-links", no_argument, NULL, OPT_HARD},
      {"async", no_argument, NULL, OPT_ASYNC},
      {"no-async", no_argument, NULL, OPT_NO_ASYNC},
      {"help", no_argument, NULL, OPT_HELP},
      {NULL, 0, NULL, 0},
  };
  opterr = 0;
  for (;;) {
    int longindex = 0;
    int c = getopt_long(argc, argv, ":", longopts, &longindex);
    if (c == -1) {
      break;
    }
    switch (c) {
    case OPT_CHAIN:
      opt.chain = (unsigned)parse_uint("--chain must be a whole number from 1 to 4096, not '%s'", optarg, 1, MAX_CHAIN);
      break;
    case OPT_INFLIGHT:
      opt.inflight = (unsigned)parse_uint("--inflight must be a whole number from 1 to 32768, not '%s'", optarg, 1, MAX_ENTRIES);
      break;
    case OPT_RINGS:
      opt.rings = (unsigned)parse_uint("--rings must be a whole number from 1 to 1024, not '%s'", optarg, 1, MAX_RINGS);
      break;
    case OPT_THREADS:
      opt.threads = (unsigned)parse_uint("--threads must be a whole number from 1 to 1024, not '%s'", optarg, 1, MAX_RINGS);
      break;
    case OPT_DURATION: {
      char *end;
      errno = 0;
      double d = strtod(optarg, &end);
      if (errno != 0 || end == optarg || *end != '\0' || !(d > 0) || d > 86400 * 365.0) {
        die_usage("--duration must be a positive number of seconds, not '%s'", optarg);
      }
      opt.duration = d;
      break;
    }
    case OPT_CHAINS:
      opt.chains = parse_uint("--chains must be a whole number of at least 1, not '%s'", optarg, 1, UINT64_MAX / 2);
      break;
    case OPT_OP:
      if (strcmp(optarg, "nop") == 0) {
        opt.op_read = 0;
      } else if (strcmp(optarg, "read") == 0) {
        opt.op_read = 1;
      } else {
        die_usage("--op must be nop or read, not '%s'", optarg);
      }
      break;
    case OPT_READ_SIZE:
      opt.read_size = (unsigned)parse_uint("--read-size must be a whole number of bytes from 1 to 1048576, not '%s'", optarg, 1, 1u << 20);
      break;
    case OPT_HARD:
      opt.hard_links = 1;
      break;
    case OPT_ASYNC:
      opt.async = 1;
      break;
    case OPT_NO_ASYNC:
      opt.async = 0;
      break;
    case OPT_HELP:
      usage(stdout);
      exit(EXIT_OK);
    case ':':
      die_usage("option '%s' needs a value", argv[optind - 1]);
      break;
    default:
      die_usage("unknown option '%s'", argv[optind - 1]);
    }
  }
  if (optind < argc) {
    die_usage("unexpected argument '%s'", argv[optind]);
  }
  if (opt.threads == 0) {
    opt.threads = opt.rings;
  }
  if (opt.threads > opt.rings) {
    char buf[64];
    snprintf(buf, sizeof buf, "%u", opt.threads);
    die_usage("--threads %s is more than --rings (each thread drives at least one ring)", buf);
  }
  if ((uint64_t)opt.chain * opt.inflight > MAX_ENTRIES) {
    char buf[64];
    snprintf(buf, sizeof buf, "%" PRIu64, (uint64_t)opt.chain * opt.inflight);
    die_usage("--chain x --inflight is %s requests per ring; at most 32768 fit in a ring", buf);
  }
}

/* One clear line for a failed io_uring_setup, and the exit status 3. */
static void die_setup(int err, unsigned entries) {
  const char *why;
  char buf[256];
  switch (err) {
  case ENOSYS:
    why = "io_uring is not available: this kernel has no io_uring_setup (CONFIG_IO_URING off, or a "
          "seccomp filter answers ENOSYS)";
    break;
  case EPERM: {
    int disabled = -1;
    FILE *f = fopen("/proc/sys/kernel/io_uring_disabled", "r");
    if (f != NULL) {
      if (fscanf(f, "%d", &disabled) != 1) {
        disabled = -1;
      }
      fclose(f);
    }
    if (disabled == 2) {
      why = "io_uring is disabled on this host (sysctl kernel.io_uring_disabled=2; set it to 0 to run)";
    } else if (disabled == 1) {
      why = "io_uring is restricted (sysctl kernel.io_uring_disabled=1): run as root or as a member "
            "of kernel.io_uring_group, or set the sysctl to 0";
    } else {
      why = "io_uring_setup: operation not permitted (a seccomp filter or security module, e.g. in "
            "a container, refuses io_uring)";
    }
    break;
  }
  case ENOMEM:
    snprintf(buf, sizeof buf,
             "io_uring_setup(%u entries): out of memory for the rings; lower --inflight or --chain "
             "(kernels before 5.12 charge rings to RLIMIT_MEMLOCK: raise ulimit -l)",
             entries);
    why = buf;
    break;
  case EMFILE:
  case ENFILE:
    why = "io_uring_setup: too many open files (raise ulimit -n or lower --rings)";
    break;
  default:
    snprintf(buf, sizeof buf, "io_uring_setup(%u entries) failed: %s", entries, strerror(err));
    why = buf;
  }
  fprintf(stderr, "linkstorm: error: %s\n", why);
  exit(EXIT_UNAVAILABLE);
}

static void die_sys(const char *what) {
  fprintf(stderr, "linkstorm: error: %s: %s\n", what, strerror(errno));
  exit(EXIT_UNAVAILABLE);
}

static void *xcalloc(size_t n, size_t size) {
  void *p = calloc(n, size);
  if (p == NULL) {
    fprintf(stderr, "linkstorm: error: out of memory\n");
    exit(EXIT_UNAVAILABLE);
  }
  return p;
}

static void ring_setup(struct ring *r) {
  unsigned entries = opt.chain * opt.inflight;
  struct io_uring_params p;
  memset(&p, 0, sizeof p);
  int fd = sys_io_uring_setup(entries, &p);
  if (fd < 0) {
    die_setup(errno, entries);
  }
  r->fd = fd;
  r->sq_entries = p.sq_entries;
  r->cq_entries = p.cq_entries;
  r->sq_map_len = p.sq_off.array + p.sq_entries * sizeof(unsigned);
  r->cq_map_len = p.cq_off.cqes + p.cq_entries * sizeof(struct io_uring_cqe);
  int single = (p.features & IORING_FEAT_SINGLE_MMAP) != 0;
  if (single) {
    if (r->cq_map_len > r->sq_map_len) {
      r->sq_map_len = r->cq_map_len;
    }
    r->cq_map_len = r->sq_map_len;
  }
  r->sq_map = mmap(NULL, r->sq_map_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd,
                   IORING_OFF_SQ_RING);
  if (r->sq_map == MAP_FAILED) {
    die_sys("mmap of the SQ ring");
  }
  if (single) {
    r->cq_map = r->sq_map;
  } else {
    r->cq_map = mmap(NULL, r->cq_map_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd,
                     IORING_OFF_CQ_RING);
    if (r->cq_map == MAP_FAILED) {
      die_sys("mmap of the CQ ring");
    }
  }
  r->sqes_len = p.sq_entries * sizeof(struct io_uring_sqe);
  r->sqes = mmap(NULL, r->sqes_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd,
                 IORING_OFF_SQES);
  if (r->sqes == MAP_FAILED) {
    die_sys("mmap of the SQE array");
  }
  char *sq = r->sq_map;
  char *cq = r->cq_map;
  r->sq_head = (unsigned *)(sq + p.sq_off.head);
  r->sq_tail = (unsigned *)(sq + p.sq_off.tail);
  r->sq_mask = (unsigned *)(sq + p.sq_off.ring_mask);
  r->sq_array = (unsigned *)(sq + p.sq_off.array);
  r->cq_head = (unsigned *)(cq + p.cq_off.head);
  r->cq_tail = (unsigned *)(cq + p.cq_off.tail);
  r->cq_mask = (unsigned *)(cq + p.cq_off.ring_mask);
  r->cqes = (struct io_uring_cqe *)(cq + p.cq_off.cqes);
  r->sq_local_tail = __atomic_load_n(r->sq_tail, __ATOMIC_RELAXED);

  r->slot_left = xcalloc(opt.inflight, sizeof *r->slot_left);
  r->slot_failed = xcalloc(opt.inflight, sizeof *r->slot_failed);
  r->free_slots = xcalloc(opt.inflight, sizeof *r->free_slots);
  for (unsigned i = 0; i < opt.inflight; i++) {
    r->free_slots[i] = opt.inflight - 1 - i;
  }
  r->nfree = opt.inflight;
  r->zero_fd = -1;
  if (opt.op_read) {
    r->zero_fd = open("/dev/zero", O_RDONLY | O_CLOEXEC);
    if (r->zero_fd < 0) {
      die_sys("open /dev/zero");
    }
    r->buffers = xcalloc((size_t)opt.inflight * opt.chain, opt.read_size);
  }
}

/* Claims one chain of the --chains budget; 0 when the budget is spent. */
static int claim_chain(void) {
  if (opt.chains == 0) {
    return 1;
  }
  uint64_t n = atomic_fetch_add(&chains_claimed, 1);
  if (n >= opt.chains) {
    atomic_store(&stop_flag, 1);
    return 0;
  }
  if (n + 1 == opt.chains) {
    atomic_store(&stop_flag, 1);
  }
  return 1;
}

/* Writes one chain into the SQ ring (not yet published). */
static void queue_chain(struct ring *r, unsigned slot) {
  unsigned mask = *r->sq_mask;
  uint8_t link = opt.hard_links ? IOSQE_IO_HARDLINK : IOSQE_IO_LINK;
  for (unsigned i = 0; i < opt.chain; i++) {
    unsigned idx = r->sq_local_tail & mask;
    struct io_uring_sqe *sqe = &r->sqes[idx];
    memset(sqe, 0, sizeof *sqe);
    if (opt.op_read) {
      sqe->opcode = IORING_OP_READ;
      sqe->fd = r->zero_fd;
      sqe->addr = (uint64_t)(uintptr_t)(r->buffers + ((size_t)slot * opt.chain + i) * opt.read_size);
      sqe->len = opt.read_size;
      sqe->off = 0;
    } else {
      sqe->opcode = IORING_OP_NOP;
      sqe->fd = -1;
    }
    sqe->flags = (uint8_t)((i + 1 < opt.chain ? link : 0) | (opt.async ? IOSQE_ASYNC : 0));
    sqe->user_data = ((uint64_t)slot << 32) | i;
    r->sq_array[idx] = idx;
    r->sq_local_tail++;
  }
  r->slot_left[slot] = opt.chain;
  r->slot_failed[slot] = 0;
  r->to_submit += opt.chain;
  r->inflight_reqs += opt.chain;
}

/* Reaps every CQE in the ring; returns how many. */
static unsigned reap(struct ring *r, struct totals *t) {
  unsigned head = *r->cq_head; /* only we write it */
  unsigned tail = __atomic_load_n(r->cq_tail, __ATOMIC_ACQUIRE);
  unsigned mask = *r->cq_mask;
  unsigned n = 0;
  for (; head != tail; head++, n++) {
    const struct io_uring_cqe *cqe = &r->cqes[head & mask];
    unsigned slot = (unsigned)(cqe->user_data >> 32);
    int res = cqe->res;
    int bad = res < 0 || (opt.op_read && (unsigned)res != opt.read_size);
    t->completions++;
    if (bad) {
      t->errors++;
      if (res == -ECANCELED) {
        t->canceled++;
      }
      if (t->first_error == 0 && res != -ECANCELED) {
        t->first_error = res == 0 ? INT_MIN : res;
      }
      r->slot_failed[slot] = 1;
    }
    if (slot < opt.inflight && r->slot_left[slot] > 0 && --r->slot_left[slot] == 0) {
      t->chains++;
      if (r->slot_failed[slot]) {
        t->failed_chains++;
      }
      r->free_slots[r->nfree++] = slot;
    }
  }
  __atomic_store_n(r->cq_head, head, __ATOMIC_RELEASE);
  r->inflight_reqs -= n;
  return n;
}

static int stopping(double deadline) {
  if (atomic_load_explicit(&stop_flag, memory_order_relaxed)) {
    return 1;
  }
  if (now_s() >= deadline) {
    atomic_store(&stop_flag, 1);
    return 1;
  }
  return 0;
}

static void *worker_main(void *arg) {
  struct worker *w = arg;
  struct totals *t = &w->t;
  double deadline = opt.duration;
  unsigned nmine = 0;
  struct ring *mine[MAX_RINGS];
  for (unsigned i = w->index; i < opt.rings; i += opt.threads) {
    mine[nmine++] = &rings[i];
  }
  for (;;) {
    int stop = stopping(deadline);
    unsigned busy = 0;
    for (unsigned k = 0; k < nmine; k++) {
      struct ring *r = mine[k];
      if (!stop) {
        while (r->nfree > 0 && claim_chain()) {
          queue_chain(r, r->free_slots[--r->nfree]);
          t->requests += opt.chain;
        }
        __atomic_store_n(r->sq_tail, r->sq_local_tail, __ATOMIC_RELEASE);
      }
      if (r->inflight_reqs == 0) {
        continue;
      }
      busy++;
      unsigned ready = __atomic_load_n(r->cq_tail, __ATOMIC_ACQUIRE) - *r->cq_head;
      if (ready > 0 && r->to_submit == 0) {
        reap(r, t); /* nothing to submit and nothing to wait for: no syscall */
        continue;
      }
      unsigned min_complete = ready > 0 ? 0 : 1;
      int ret = sys_io_uring_enter(r->fd, r->to_submit, min_complete,
                                   min_complete ? IORING_ENTER_GETEVENTS : 0);
      if (ret < 0) {
        int e = errno;
        if (e == EINTR || e == EAGAIN || e == EBUSY) {
          reap(r, t);
          continue;
        }
        fprintf(stderr, "linkstorm: error: io_uring_enter: %s\n", strerror(e));
        t->fatal = 1;
        atomic_store(&stop_flag, 1);
        return NULL;
      }
      r->to_submit -= (unsigned)ret < r->to_submit ? (unsigned)ret : r->to_submit;
      reap(r, t);
    }
    if (stop && busy == 0) {
      break;
    }
  }
  return NULL;
}

static void on_signal(int sig) {
  (void)sig;
  if (signals_seen++ > 0) {
    static const char msg[] = "linkstorm: error: interrupted twice; exiting without totals\n";
    ssize_t n = write(2, msg, sizeof msg - 1);
    (void)n;
    _exit(130);
  }
  atomic_store(&stop_flag, 1);
}

static void on_alarm(int sig) {
  (void)sig;
  static const char msg[] =
      "linkstorm: error: chains still in flight 5 s after --duration; giving up (hard bound)\n";
  ssize_t n = write(2, msg, sizeof msg - 1);
  (void)n;
  _exit(EXIT_FAILED);
}

int main(int argc, char **argv) {
  parse_options(argc, argv);

  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);
  sa.sa_handler = on_alarm;
  sigaction(SIGALRM, &sa, NULL);

  rings = xcalloc(opt.rings, sizeof *rings);
  for (unsigned i = 0; i < opt.rings; i++) {
    ring_setup(&rings[i]);
  }

  struct utsname u;
  if (uname(&u) != 0) {
    strcpy(u.release, "unknown");
  }
  printf("linkstorm start pid=%ld kernel=%s op=%s chain=%u inflight=%u rings=%u threads=%u "
         "link=%s async=%d duration=%g chains=%" PRIu64,
         (long)getpid(), u.release, opt.op_read ? "read" : "nop", opt.chain, opt.inflight,
         opt.rings, opt.threads, opt.hard_links ? "hard" : "soft", opt.async, opt.duration,
         opt.chains);
  if (opt.op_read) {
    printf(" read_size=%u", opt.read_size);
  }
  printf("\n");
  fflush(stdout);

  /* The hard bound: whatever happens, the process is gone DRAIN_GRACE_S after --duration. */
  struct itimerval it;
  memset(&it, 0, sizeof it);
  double bound = opt.duration + DRAIN_GRACE_S;
  it.it_value.tv_sec = (time_t)bound;
  it.it_value.tv_usec = (suseconds_t)((bound - (double)(time_t)bound) * 1e6);
  setitimer(ITIMER_REAL, &it, NULL);

  clock_gettime(CLOCK_MONOTONIC, &start_ts);
  struct worker *workers = xcalloc(opt.threads, sizeof *workers);
  for (unsigned i = 0; i < opt.threads; i++) {
    workers[i].index = i;
    int e = pthread_create(&workers[i].thread, NULL, worker_main, &workers[i]);
    if (e != 0) {
      fprintf(stderr, "linkstorm: error: pthread_create: %s\n", strerror(e));
      atomic_store(&stop_flag, 1);
      for (unsigned j = 0; j < i; j++) {
        pthread_join(workers[j].thread, NULL);
      }
      return EXIT_UNAVAILABLE;
    }
  }
  struct totals sum;
  memset(&sum, 0, sizeof sum);
  for (unsigned i = 0; i < opt.threads; i++) {
    pthread_join(workers[i].thread, NULL);
    const struct totals *t = &workers[i].t;
    sum.chains += t->chains;
    sum.requests += t->requests;
    sum.completions += t->completions;
    sum.errors += t->errors;
    sum.canceled += t->canceled;
    sum.failed_chains += t->failed_chains;
    sum.fatal |= t->fatal;
    if (sum.first_error == 0) {
      sum.first_error = t->first_error;
    }
  }
  double secs = now_s();
  memset(&it, 0, sizeof it);
  setitimer(ITIMER_REAL, &it, NULL);

  printf("linkstorm chains=%" PRIu64 " requests=%" PRIu64 " completions=%" PRIu64
         " errors=%" PRIu64 " canceled=%" PRIu64 " failed_chains=%" PRIu64
         " seconds=%.3f chains_per_s=%.1f requests_per_s=%.1f\n",
         sum.chains, sum.requests, sum.completions, sum.errors, sum.canceled, sum.failed_chains,
         secs, secs > 0 ? (double)sum.chains / secs : 0.0,
         secs > 0 ? (double)sum.requests / secs : 0.0);
  fflush(stdout);

  int status = EXIT_OK;
  if (sum.fatal) {
    status = EXIT_FAILED;
  }
  if (sum.errors > 0) {
    if (sum.first_error == INT_MIN) {
      fprintf(stderr, "linkstorm: error: %" PRIu64 " of %" PRIu64 " requests failed (first: a read of 0 bytes)\n",
              sum.errors, sum.completions);
    } else if (sum.first_error > 0) {
      fprintf(stderr, "linkstorm: error: %" PRIu64 " of %" PRIu64 " requests failed (first: a short read of %d bytes)\n",
              sum.errors, sum.completions, sum.first_error);
    } else if (sum.first_error < 0) {
      fprintf(stderr, "linkstorm: error: %" PRIu64 " of %" PRIu64 " requests failed (first: %s)\n",
              sum.errors, sum.completions, strerror(-sum.first_error));
    } else {
      fprintf(stderr, "linkstorm: error: %" PRIu64 " of %" PRIu64 " requests failed (all canceled)\n",
              sum.errors, sum.completions);
    }
    status = EXIT_FAILED;
  }
  if (opt.chains > 0 && sum.chains < opt.chains && !sum.fatal) {
    fprintf(stderr, "linkstorm: error: stopped after %" PRIu64 " of %" PRIu64 " chains (%s)\n",
            sum.chains, opt.chains,
            signals_seen ? "interrupted" : "--duration ran out first; raise it");
    status = EXIT_FAILED;
  }
  return status;
}
