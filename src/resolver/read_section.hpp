// Lock-free reading of the resolver caches: epoch-based reclamation shared by every cache of the process.
//
// A thread reads cache entries only inside a read section. Query workers open one for a whole batch
// (PacketHandler::begin_batch / end_batch), so the sections the cache-hit path opens itself nest for the
// price of a thread-local increment. Writers unlink an entry first and then retire() it; it is freed once
// every thread is outside a read section or has entered one after the retirement. This is the same
// quiescent-state idea as server/published.hpp (which publishes whole snapshots, one at a time); here many
// small objects are retired by many writers, and threads register themselves on first use so that a
// thread driving resolutions (not only a query worker) can read too.
//
// Memory order: a reader stores the generation it saw, then fences (seq_cst) before it loads any table
// pointer; a writer unlinks, fences, bumps the generation and then scans the readers. Either the scan sees
// the reader's generation (older than the retirement: kept), or the reader's loads come after the unlink.
#pragma once

#include <cstddef>
#include <cstdint>

namespace cairn::resolver {

// Enter and leave (nesting is allowed, on one thread). Each thread that reads must be outside a section
// now and then (at the end of each batch), or nothing retired is ever freed.
void enter_read_section();
void leave_read_section();

class ReadSection {
  public:
    ReadSection() { enter_read_section(); }
    ~ReadSection() { leave_read_section(); }
    ReadSection(const ReadSection&) = delete;
    ReadSection& operator=(const ReadSection&) = delete;
};

// Hands `object` to `free_object` once no reader can still hold it.
void retire(void* object, void (*free_object)(void*));

// Frees what can be freed now; returns how many objects still wait. retire() calls it now and then.
std::size_t reclaim_retired();

// A small number that identifies the calling thread among the live ones (its reader slot), for sharding
// per-thread counters. Stable while the thread lives.
unsigned thread_slot();

// How many readers can be registered at once (threads that ever read, alive).
inline constexpr unsigned kMaxReaderThreads = 512;

}  // namespace cairn::resolver
