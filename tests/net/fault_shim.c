/*
 * fault_shim.c: receive-side loss, duplication and reordering of UDP datagrams, for the
 * tests/net rig. This kernel has no netem, so faults are injected where every program reads
 * its datagrams: the shim is LD_PRELOADed into the programs of a faulty host (imgcast and
 * udpcast alike) and wraps recvmsg, recvfrom, recv, read, recvmmsg (and the _chk variants
 * that FORTIFY_SOURCE builds call). Only IPv4 UDP sockets are touched: a descriptor is
 * checked with fstat (socket inode) on every call and classified once per socket with
 * SO_TYPE, SO_DOMAIN and SO_PROTOCOL; TCP, files, pipes and netlink pass straight through.
 * MSG_PEEK and MSG_ERRQUEUE calls pass through too.
 *
 * Settings (environment, read once at start):
 *   IMGCAST_FAULT_LOSS, IMGCAST_FAULT_DUP, IMGCAST_FAULT_REORDER  probabilities 0..1, per datagram
 *   IMGCAST_FAULT_SEED   seeds a splitmix64/xorshift64* generator; the pid is mixed in, so
 *                        hosts (and processes) started with one seed still differ
 *   IMGCAST_FAULT_MIN_SIZE  only datagrams of at least this many bytes suffer faults (0: all).
 *                        Benchmarks set it so that both tools' small control datagrams pass:
 *                        udp-receiver waits for its connect reply in a blocking recvmsg after
 *                        select, so a shim that drops that reply (after select said readable)
 *                        would hang it forever, which a real network never does.
 *   IMGCAST_FAULT_STATS  a path: at exit, a process that received any UDP datagram appends
 *                        "datagrams=N dropped=N duplicated=N reordered=N gro_buffers=N pid=P"
 *                        (one line per process; add them up)
 *
 * What happens to one datagram the kernel hands over:
 *   loss       it is removed; a call never returns an empty result for it: the shim receives
 *              again with the caller's flags, so a non-blocking socket gets -1/EAGAIN when
 *              nothing else is queued and a blocking one waits, as if it never arrived.
 *   duplicate  a copy is queued in the shim and returned by the next receive call on that
 *              socket, before anything new from the kernel.
 *   reorder    a plain datagram is held back only when another one is already queued in the
 *              kernel (a peek says so); the call returns that next one and the held datagram
 *              comes out of the following call.
 * Copies the shim holds (duplicates, held-back datagrams) are returned before anything new
 * from the kernel. A program that reads until EAGAIN (imgcast) always gets them at once; one
 * that waits for readability before every read (select/poll, a Python socket with a timeout:
 * udpcast) gets them with its next read, that is when the next datagram arrives.
 *
 * UDP GRO: when recvmsg returns a SOL_UDP/UDP_GRO control message with segment size s, the
 * n bytes returned are ceil(n/s) datagrams of s bytes, the last one possibly shorter. Each
 * segment is one datagram as above. Dropped segments are removed by moving the kept ones
 * together (the short one stays last) and the returned length shrinks; if all go, the shim
 * receives again. A duplicated segment is not squeezed into the buffer (it rarely has room):
 * its copy is queued and returned by the next call as a plain datagram, without a UDP_GRO
 * message, as the kernel delivers a single datagram. Reordering swaps two adjacent
 * full-size kept segments in place; the short last segment never moves, so the buffer keeps
 * the GRO layout. The UDP_GRO message is left as it was (same segment size). To see that
 * message the shim passes its own control buffer when the caller gave none (recv, recvfrom,
 * read) and does not hand those messages on.
 *
 * recvmmsg is served one datagram at a time through the same code (the timeout argument is
 * ignored: the kernel's own only takes effect between datagrams). Descriptors >= 4096 are
 * left alone.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#ifndef SOL_UDP
#define SOL_UDP 17
#endif
#ifndef UDP_GRO
#define UDP_GRO 104
#endif

#define MAX_FDS 4096
#define MAX_PENDING 64
#define MAX_CONTROL 512
#define OWN_CONTROL 256

struct held {
    struct held *next;
    size_t len;
    int flags;
    socklen_t namelen;
    struct sockaddr_storage name;
    size_t controllen;
    unsigned char control[MAX_CONTROL];
    unsigned char data[];
};

struct fdstate {
    dev_t dev;
    ino_t ino;
    int verdict; /* 0 unknown, 1 IPv4 UDP, 2 anything else */
    int npending;
    struct held *head, *tail;
};

static struct fdstate fds[MAX_FDS];
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static double p_loss, p_dup, p_reorder;
static size_t min_size;
static uint64_t seed_base, rng_state;
static int enabled;
static char stats_path[4096];
static unsigned long long n_datagrams, n_dropped, n_duplicated, n_reordered, n_gro;

static ssize_t (*real_recvmsg)(int, struct msghdr *, int);
static ssize_t (*real_recvfrom)(int, void *, size_t, int, struct sockaddr *, socklen_t *);
static ssize_t (*real_recv)(int, void *, size_t, int);
static ssize_t (*real_read)(int, void *, size_t);
static int (*real_recvmmsg)(int, struct mmsghdr *, unsigned int, int, struct timespec *);

static void resolve(void)
{
    if (real_recvmsg)
        return;
    real_recvfrom = (ssize_t(*)(int, void *, size_t, int, struct sockaddr *, socklen_t *))dlsym(RTLD_NEXT, "recvfrom");
    real_recv = (ssize_t(*)(int, void *, size_t, int))dlsym(RTLD_NEXT, "recv");
    real_read = (ssize_t(*)(int, void *, size_t))dlsym(RTLD_NEXT, "read");
    real_recvmmsg = (int (*)(int, struct mmsghdr *, unsigned int, int, struct timespec *))dlsym(RTLD_NEXT, "recvmmsg");
    real_recvmsg = (ssize_t(*)(int, struct msghdr *, int))dlsym(RTLD_NEXT, "recvmsg");
}

/* --- random numbers: splitmix64 to seed, xorshift64* to draw (caller holds the lock) --- */

static uint64_t splitmix64(uint64_t x)
{
    x += 0x9E3779B97F4A7C15ULL;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
    return x ^ (x >> 31);
}

static void reseed(void)
{
    rng_state = splitmix64(seed_base ^ splitmix64((uint64_t)getpid()));
    if (rng_state == 0)
        rng_state = 1;
}

static int chance(double p)
{
    if (p <= 0.0)
        return 0;
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    uint64_t x = rng_state * 0x2545F4914F6CDD1DULL;
    return (double)(x >> 11) * (1.0 / 9007199254740992.0) < p;
}

/* --- set-up and the statistics line ----------------------------------------------------- */

static double env_probability(const char *name)
{
    const char *text = getenv(name);
    if (!text || !*text)
        return 0.0;
    double value = strtod(text, NULL);
    return value < 0.0 ? 0.0 : value > 1.0 ? 1.0 : value;
}

static void after_fork_child(void)
{
    /* the child counts its own datagrams and draws its own numbers */
    n_datagrams = n_dropped = n_duplicated = n_reordered = n_gro = 0;
    reseed();
}

__attribute__((constructor)) static void shim_init(void)
{
    resolve();
    p_loss = env_probability("IMGCAST_FAULT_LOSS");
    p_dup = env_probability("IMGCAST_FAULT_DUP");
    p_reorder = env_probability("IMGCAST_FAULT_REORDER");
    const char *min_text = getenv("IMGCAST_FAULT_MIN_SIZE");
    min_size = min_text ? (size_t)strtoul(min_text, NULL, 10) : 0;
    const char *seed = getenv("IMGCAST_FAULT_SEED");
    seed_base = seed ? strtoull(seed, NULL, 0) : 0;
    reseed();
    const char *stats = getenv("IMGCAST_FAULT_STATS");
    if (stats && *stats && strlen(stats) < sizeof stats_path)
        strcpy(stats_path, stats);
    enabled = p_loss > 0.0 || p_dup > 0.0 || p_reorder > 0.0 || stats_path[0];
    pthread_atfork(NULL, NULL, after_fork_child);
}

__attribute__((destructor)) static void shim_fini(void)
{
    if (!stats_path[0] || n_datagrams == 0)
        return;
    char line[256];
    int len = snprintf(line, sizeof line,
                       "datagrams=%llu dropped=%llu duplicated=%llu reordered=%llu gro_buffers=%llu pid=%d\n",
                       n_datagrams, n_dropped, n_duplicated, n_reordered, n_gro, (int)getpid());
    int fd = open(stats_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0)
        return;
    if (write(fd, line, (size_t)len) < 0) {
        /* nothing to do: the test reading the file will notice the missing line */
    }
    close(fd);
}

/* --- which descriptors get faults --------------------------------------------------------- */

static void free_pending(struct fdstate *s)
{
    struct held *h = s->head;
    while (h) {
        struct held *next = h->next;
        free(h);
        h = next;
    }
    s->head = s->tail = NULL;
    s->npending = 0;
}

/* 1 when fd is an IPv4 UDP socket. fstat on every call (cheap next to a receive) tells a
 * socket from a file and a new socket from the one cached under a reused number. */
static int is_udp(int fd)
{
    struct stat st;
    if (fd < 0 || fd >= MAX_FDS || fstat(fd, &st) != 0 || !S_ISSOCK(st.st_mode))
        return 0;
    struct fdstate *s = &fds[fd];
    pthread_mutex_lock(&lock);
    if (s->verdict == 0 || s->dev != st.st_dev || s->ino != st.st_ino) {
        free_pending(s);
        s->dev = st.st_dev;
        s->ino = st.st_ino;
        int type = 0, domain = 0, protocol = 0;
        socklen_t len = sizeof type;
        getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len);
        len = sizeof domain;
        getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &len);
        len = sizeof protocol;
        getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &protocol, &len);
        s->verdict = (type == SOCK_DGRAM && domain == AF_INET && (protocol == IPPROTO_UDP || protocol == 0)) ? 1 : 2;
    }
    int verdict = s->verdict;
    pthread_mutex_unlock(&lock);
    return verdict == 1;
}

static int active(int fd, int flags)
{
    resolve();
    return enabled && !(flags & (MSG_PEEK | MSG_ERRQUEUE)) && is_udp(fd);
}

/* --- buffers -------------------------------------------------------------------------------- */

static size_t gather(const struct msghdr *m, unsigned char *out, size_t len)
{
    size_t done = 0;
    for (size_t i = 0; i < (size_t)m->msg_iovlen && done < len; i++) {
        size_t part = m->msg_iov[i].iov_len < len - done ? m->msg_iov[i].iov_len : len - done;
        memcpy(out + done, m->msg_iov[i].iov_base, part);
        done += part;
    }
    return done;
}

static size_t scatter(const struct msghdr *m, const unsigned char *in, size_t len)
{
    size_t done = 0;
    for (size_t i = 0; i < (size_t)m->msg_iovlen && done < len; i++) {
        size_t part = m->msg_iov[i].iov_len < len - done ? m->msg_iov[i].iov_len : len - done;
        memcpy(m->msg_iov[i].iov_base, in + done, part);
        done += part;
    }
    return done;
}

static int gro_segment(struct msghdr *m)
{
    if (!m->msg_control || (m->msg_flags & MSG_CTRUNC))
        return 0;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(m); c; c = CMSG_NXTHDR(m, c)) {
        if (c->cmsg_level == SOL_UDP && c->cmsg_type == UDP_GRO && c->cmsg_len >= CMSG_LEN(sizeof(int))) {
            int size;
            memcpy(&size, CMSG_DATA(c), sizeof size);
            return size > 0 ? size : 0;
        }
    }
    return 0;
}

/* A copy of one datagram: its bytes, the sender, and the control messages minus UDP_GRO. */
static struct held *capture(struct msghdr *m, const unsigned char *data, size_t len)
{
    struct held *h = malloc(sizeof *h + (len ? len : 1));
    if (!h)
        return NULL;
    h->next = NULL;
    h->len = len;
    memcpy(h->data, data, len);
    h->flags = m->msg_flags & ~MSG_CTRUNC;
    h->namelen = 0;
    if (m->msg_name && m->msg_namelen > 0) {
        h->namelen = m->msg_namelen <= sizeof h->name ? m->msg_namelen : sizeof h->name;
        memcpy(&h->name, m->msg_name, h->namelen);
    }
    h->controllen = 0;
    if (m->msg_control && m->msg_controllen > 0 && !(m->msg_flags & MSG_CTRUNC)) {
        for (struct cmsghdr *c = CMSG_FIRSTHDR(m); c; c = CMSG_NXTHDR(m, c)) {
            if (c->cmsg_level == SOL_UDP && c->cmsg_type == UDP_GRO)
                continue;
            size_t space = CMSG_ALIGN(c->cmsg_len);
            if (h->controllen + space > MAX_CONTROL)
                break;
            memset(h->control + h->controllen, 0, space);
            memcpy(h->control + h->controllen, c, c->cmsg_len);
            h->controllen += space;
        }
    }
    return h;
}

/* Hand a copy to the caller as recvmsg would have; m holds the caller's own buffers. */
static ssize_t deliver(struct msghdr *m, const struct held *h, int flags)
{
    size_t copied = scatter(m, h->data, h->len);
    m->msg_flags = h->flags;
    if (copied < h->len)
        m->msg_flags |= MSG_TRUNC;
    if (m->msg_name) {
        socklen_t n = m->msg_namelen < h->namelen ? m->msg_namelen : h->namelen;
        memcpy(m->msg_name, &h->name, n);
        m->msg_namelen = h->namelen;
    }
    if (m->msg_control && m->msg_controllen >= h->controllen) {
        memcpy(m->msg_control, h->control, h->controllen);
        m->msg_controllen = h->controllen;
    } else {
        if (h->controllen)
            m->msg_flags |= MSG_CTRUNC;
        m->msg_controllen = 0;
    }
    return (flags & MSG_TRUNC) ? (ssize_t)h->len : (ssize_t)copied;
}

static void push(int fd, struct held *h, int front)
{
    struct fdstate *s = &fds[fd];
    if (front) {
        h->next = s->head;
        s->head = h;
        if (!s->tail)
            s->tail = h;
    } else {
        h->next = NULL;
        if (s->tail)
            s->tail->next = h;
        else
            s->head = h;
        s->tail = h;
    }
    s->npending++;
}

static struct held *pop(int fd)
{
    struct fdstate *s = &fds[fd];
    struct held *h = s->head;
    if (h) {
        s->head = h->next;
        if (!s->head)
            s->tail = NULL;
        s->npending--;
    }
    return h;
}

static int more_queued(int fd)
{
    unsigned char byte;
    struct iovec iov = {&byte, 1};
    struct msghdr m;
    memset(&m, 0, sizeof m);
    m.msg_iov = &iov;
    m.msg_iovlen = 1;
    return real_recvmsg(fd, &m, MSG_PEEK | MSG_DONTWAIT | MSG_TRUNC) >= 0;
}

/* --- the one receive path every wrapper uses ------------------------------------------------- */

static ssize_t faulty_recvmsg(int fd, struct msghdr *msg, int flags)
{
    void *app_name = msg->msg_name;
    socklen_t app_namelen = msg->msg_namelen;
    void *app_control = msg->msg_control;
    size_t app_controllen = msg->msg_controllen;
    int own_name = app_name == NULL;
    int own_control = app_control == NULL || app_controllen == 0;
    struct sockaddr_storage name_buffer;
    union {
        struct cmsghdr align;
        unsigned char bytes[OWN_CONTROL];
    } control_buffer;
    struct held *holding = NULL; /* a datagram to deliver after the next one */
    int rflags = flags;

    for (;;) {
        msg->msg_name = app_name;
        msg->msg_namelen = app_namelen;
        msg->msg_control = app_control;
        msg->msg_controllen = app_controllen;
        if (!holding) {
            pthread_mutex_lock(&lock);
            struct held *h = pop(fd);
            pthread_mutex_unlock(&lock);
            if (h) {
                ssize_t r = deliver(msg, h, flags);
                free(h);
                return r;
            }
        }
        if (own_name) {
            msg->msg_name = &name_buffer;
            msg->msg_namelen = sizeof name_buffer;
        }
        if (own_control) {
            msg->msg_control = control_buffer.bytes;
            msg->msg_controllen = sizeof control_buffer.bytes;
        }
        ssize_t r = real_recvmsg(fd, msg, rflags);
        if (r < 0) {
            int saved = errno;
            msg->msg_name = app_name;
            msg->msg_namelen = app_namelen;
            msg->msg_control = app_control;
            msg->msg_controllen = app_controllen;
            if (holding) { /* nothing came after it after all: deliver it now, in order */
                ssize_t d = deliver(msg, holding, flags);
                free(holding);
                return d;
            }
            errno = saved;
            return r;
        }

        size_t capacity = 0;
        for (size_t i = 0; i < (size_t)msg->msg_iovlen; i++)
            capacity += msg->msg_iov[i].iov_len;
        size_t got = (size_t)r < capacity ? (size_t)r : capacity;
        int segment = (msg->msg_flags & MSG_TRUNC) ? 0 : gro_segment(msg);
        unsigned char *flat = NULL, *copy = NULL;
        if (msg->msg_iovlen == 1) {
            flat = msg->msg_iov[0].iov_base;
        } else {
            copy = malloc(got ? got : 1);
            if (!copy) {
                errno = ENOMEM;
                return -1;
            }
            gather(msg, copy, got);
            flat = copy;
        }

        ssize_t result = -1; /* -1: everything dropped, receive again */
        pthread_mutex_lock(&lock);
        if (segment > 0 && got > (size_t)segment) {
            size_t s = (size_t)segment, out = 0, count = (got + s - 1) / s;
            n_gro++;
            for (size_t i = 0; i < count; i++) {
                size_t len = i + 1 < count ? s : got - i * s;
                n_datagrams++;
                if (len >= min_size && chance(p_loss)) {
                    n_dropped++;
                    continue;
                }
                if (out != i * s)
                    memmove(flat + out, flat + i * s, len);
                if (chance(p_dup) && fds[fd].npending < MAX_PENDING) {
                    struct held *h = capture(msg, flat + out, len);
                    if (h) {
                        push(fd, h, 0);
                        n_duplicated++;
                    }
                }
                out += len;
            }
            size_t full = out / s; /* full-size kept segments; a short one, if any, follows */
            unsigned char *tmp = p_reorder > 0.0 && full > 1 ? malloc(s) : NULL;
            for (size_t k = 0; tmp && k + 1 < full; k++) {
                if (!chance(p_reorder))
                    continue;
                memcpy(tmp, flat + k * s, s);
                memmove(flat + k * s, flat + (k + 1) * s, s);
                memcpy(flat + (k + 1) * s, tmp, s);
                n_reordered++;
                k++;
            }
            free(tmp);
            if (out > 0)
                result = (ssize_t)out;
        } else {
            n_datagrams++;
            if (got >= min_size && chance(p_loss)) {
                n_dropped++;
            } else if (!holding && got >= min_size && chance(p_reorder) && more_queued(fd)) {
                holding = capture(msg, flat, got);
                if (holding) {
                    rflags = flags | MSG_DONTWAIT; /* the next one is queued: take it now */
                } else {
                    result = r;
                }
            } else {
                if (chance(p_dup) && fds[fd].npending < MAX_PENDING) {
                    struct held *h = capture(msg, flat, got);
                    if (h) {
                        push(fd, h, 0);
                        n_duplicated++;
                    }
                }
                result = r;
            }
        }
        if (result >= 0 && holding) {
            push(fd, holding, 1);
            holding = NULL;
            n_reordered++;
        }
        pthread_mutex_unlock(&lock);

        if (result >= 0) {
            if (copy)
                scatter(msg, copy, (size_t)result);
            free(copy);
            if (own_control) {
                if (msg->msg_controllen > 0)
                    msg->msg_flags |= MSG_CTRUNC;
                msg->msg_control = app_control;
                msg->msg_controllen = 0;
            }
            if (own_name) {
                msg->msg_name = NULL;
                msg->msg_namelen = 0;
            }
            return result;
        }
        free(copy);
    }
}

/* --- the wrapped functions --------------------------------------------------------------------- */

ssize_t recvmsg(int fd, struct msghdr *msg, int flags)
{
    if (!active(fd, flags))
        return real_recvmsg(fd, msg, flags);
    return faulty_recvmsg(fd, msg, flags);
}

static ssize_t faulty_recvfrom(int fd, void *buf, size_t len, int flags, struct sockaddr *addr, socklen_t *addrlen)
{
    struct iovec iov = {buf, len};
    struct msghdr m;
    memset(&m, 0, sizeof m);
    m.msg_iov = &iov;
    m.msg_iovlen = 1;
    if (addr && addrlen) {
        m.msg_name = addr;
        m.msg_namelen = *addrlen;
    }
    ssize_t r = faulty_recvmsg(fd, &m, flags);
    if (r >= 0 && addr && addrlen)
        *addrlen = m.msg_namelen;
    return r;
}

ssize_t recvfrom(int fd, void *buf, size_t len, int flags, struct sockaddr *addr, socklen_t *addrlen)
{
    if (!active(fd, flags))
        return real_recvfrom(fd, buf, len, flags, addr, addrlen);
    return faulty_recvfrom(fd, buf, len, flags, addr, addrlen);
}

ssize_t recv(int fd, void *buf, size_t len, int flags)
{
    if (!active(fd, flags))
        return real_recv(fd, buf, len, flags);
    return faulty_recvfrom(fd, buf, len, flags, NULL, NULL);
}

ssize_t read(int fd, void *buf, size_t len)
{
    resolve();
    if (!enabled || !is_udp(fd)) /* files and pipes: one fstat, then the real read */
        return real_read(fd, buf, len);
    return faulty_recvfrom(fd, buf, len, 0, NULL, NULL);
}

ssize_t __recv_chk(int fd, void *buf, size_t len, size_t buflen, int flags)
{
    if (len > buflen)
        abort();
    return recv(fd, buf, len, flags);
}

ssize_t __recvfrom_chk(int fd, void *buf, size_t len, size_t buflen, int flags, struct sockaddr *addr,
                       socklen_t *addrlen)
{
    if (len > buflen)
        abort();
    return recvfrom(fd, buf, len, flags, addr, addrlen);
}

ssize_t __read_chk(int fd, void *buf, size_t len, size_t buflen)
{
    if (len > buflen)
        abort();
    return read(fd, buf, len);
}

int recvmmsg(int fd, struct mmsghdr *vec, unsigned int vlen, int flags, struct timespec *timeout)
{
    if (!active(fd, flags))
        return real_recvmmsg(fd, vec, vlen, flags, timeout);
    int each = flags & ~MSG_WAITFORONE;
    unsigned int i;
    for (i = 0; i < vlen; i++) {
        ssize_t r = faulty_recvmsg(fd, &vec[i].msg_hdr, each);
        if (r < 0) {
            if (i > 0)
                break; /* like the kernel: report what came; the error shows on the next call */
            return -1;
        }
        vec[i].msg_len = (unsigned int)r;
        if (flags & MSG_WAITFORONE)
            each |= MSG_DONTWAIT;
    }
    return (int)i;
}
