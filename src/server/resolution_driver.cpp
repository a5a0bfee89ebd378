#include "server/resolution_driver.hpp"

#include <cerrno>
#include <exception>
#include <thread>
#include <unordered_map>

#include "net/deferred_reply.hpp"
#include "net/event_loop.hpp"
#include "net/limits.hpp"
#include "resolver/read_section.hpp"
#include "server/log_setup.hpp"
#include "server/log_throttle.hpp"
#include "server/recursive_view.hpp"

namespace cairn::server {

namespace {

using Clock = net::EventLoop::Clock;

// A client waiting for a resolution. Its ParsedQuery points into its own copy of the query.
struct Client {
    std::vector<std::uint8_t> query;
    dns::ParsedQuery parsed;
    net::DeferredReply reply;
    std::size_t view_index = 0;
    std::shared_ptr<RateLimit> rate_limit;  // the view's, when it has one
    ClientCookie cookie;                    // the COOKIE option its answer gives back (none: empty)
    bool answered = false;
};

// Which Resolution a client question joins: the view's resolver, the question, and whether a client waits
// (a refresh's Resolution writes no response, so clients never join one).
struct JobKey {
    const ViewResolver* view = nullptr;
    resolver::QuestionKey question;
    bool refresh = false;
    bool operator==(const JobKey&) const = default;
};
struct JobKeyHash {
    std::size_t operator()(const JobKey& key) const {
        return key.question.hash() ^ (std::hash<const void*>()(key.view) * 31) ^ (key.refresh ? 0x9e37 : 0);
    }
};
struct UpstreamKeyHash {
    std::size_t operator()(const resolver::UpstreamKey& key) const { return key.hash(); }
};

resolver::UpstreamError upstream_error(const net::UpstreamReply& reply) {
    if (reply.status == net::UpstreamStatus::timeout) return resolver::UpstreamError::timeout;
    if (reply.over_tcp || reply.truncated) return resolver::UpstreamError::connection_lost;
    return resolver::UpstreamError::unreachable;
}

}  // namespace

class ResolutionDriver::Loop {
  public:
    Loop(ResolutionDriver& driver, unsigned slot)
        : driver_(driver), slot_(slot), upstream_(loop_), response_(net::kMaxTcpMessage) {}

    ~Loop() { stop(); }

    void start() {
        thread_ = std::thread([this] {
            loop_.run();
            let_everyone_go();
        });
    }

    void stop() {
        loop_.stop();
        if (thread_.joinable()) thread_.join();
    }

    void post(std::function<void()> task) { loop_.post(std::move(task)); }

    // Loop thread.
    void add_client(std::shared_ptr<ViewResolver> view, std::unique_ptr<Client> client) {
        resolver::ReadSection section;
        JobKey key{view.get(), resolver::question_key(client->parsed), false};
        const auto found = by_question_.find(key);
        if (found != by_question_.end()) {
            jobs_.at(found->second)->clients.push_back(std::move(client));
            count(coalesced_clients_);
            return;
        }
        Job& job = new_job(std::move(key), std::move(view),
                           resolver::ClientQuestion::from_query(client->parsed), resolver::Purpose::client);
        job.clients.push_back(std::move(client));
        drive(job.id);
    }

    void add_refresh(std::shared_ptr<ViewResolver> view, const resolver::ClientQuestion& question) {
        resolver::ReadSection section;
        JobKey key{view.get(), resolver::question_key(question), true};
        if (by_question_.count(key) != 0) return;
        JobKey client_key = key;
        client_key.refresh = false;
        if (by_question_.count(client_key) != 0) return;  // a client's resolution refreshes it anyway
        Job& job = new_job(std::move(key), std::move(view), question, resolver::Purpose::refresh);
        drive(job.id);
    }

    std::uint64_t resolutions() const { return resolutions_.load(std::memory_order_relaxed); }
    std::uint64_t coalesced_clients() const { return coalesced_clients_.load(std::memory_order_relaxed); }
    std::uint64_t coalesced_upstream() const { return coalesced_upstream_.load(std::memory_order_relaxed); }
    net::UpstreamCounters upstream_counters() const { return upstream_.counters(); }

  private:
    struct Job {
        std::uint64_t id = 0;
        JobKey key;
        std::shared_ptr<ViewResolver> view;
        std::unique_ptr<resolver::Resolution> resolution;
        std::vector<std::unique_ptr<Client>> clients;
        std::unordered_map<resolver::Token, resolver::UpstreamKey> in_flight;
        net::EventLoop::TimerId deadline_timer = 0;
        resolver::Millis deadline = resolver::kNever;
        bool stale_sent = false;
    };
    // One upstream query in flight and the (job, token) pairs waiting for its answer.
    struct Flight {
        net::UpstreamClient::QueryId query = 0;
        std::vector<std::pair<std::uint64_t, resolver::Token>> waiters;
    };

    static void count(std::atomic<std::uint64_t>& counter, std::int64_t by = 1) {
        counter.store(counter.load(std::memory_order_relaxed) + static_cast<std::uint64_t>(by),
                      std::memory_order_relaxed);
    }

    Job& new_job(JobKey key, std::shared_ptr<ViewResolver> view, const resolver::ClientQuestion& question,
                 resolver::Purpose purpose) {
        auto job = std::make_unique<Job>();
        job->id = next_job_++;
        job->key = key;
        job->view = std::move(view);
        job->resolution = std::make_unique<resolver::Resolution>(*job->view->context, question, purpose);
        Job& made = *job;
        by_question_.emplace(std::move(key), made.id);
        jobs_.emplace(made.id, std::move(job));
        count(resolutions_);
        return made;
    }

    Job* find(std::uint64_t id) {
        const auto found = jobs_.find(id);
        return found == jobs_.end() ? nullptr : found->second.get();
    }

    // Sends what the Resolution asks for, answers stale data when it is time, and finishes it when done.
    void drive(std::uint64_t id) {
        Job* job = find(id);
        if (job == nullptr) return;
        try {
            resolver::UpstreamQuery query;
            while (job->resolution->produce(query))
                send(*job, query);
            if (!job->stale_sent && job->resolution->stale_answer_ready()) {
                job->stale_sent = true;
                for (auto& client : job->clients)
                    answer(*job, *client, true);
            }
            if (job->resolution->done()) {
                for (auto& client : job->clients)
                    answer(*job, *client, false);
                finish(*job);
                return;
            }
            arm_deadline(*job);
        } catch (const std::exception& e) {
            repeated(Repeated::resolution_failed)
                .error("resolution of {} failed: {}", job->resolution->question().qname.to_text(), e.what());
            for (auto& client : job->clients)
                fail(*job, *client);
            finish(*job);
        }
    }

    void arm_deadline(Job& job) {
        const resolver::Millis deadline = job.resolution->next_deadline();
        if (deadline == job.deadline) return;
        if (job.deadline_timer != 0) loop_.cancel(job.deadline_timer);
        job.deadline_timer = 0;
        job.deadline = deadline;
        if (deadline == resolver::kNever) return;
        const resolver::Millis delay =
            std::max<resolver::Millis>(0, deadline - job.view->context->clock().now());
        job.deadline_timer = loop_.at(loop_.now() + std::chrono::milliseconds(delay), [this, id = job.id] {
            Job* job = find(id);
            if (job == nullptr) return;
            resolver::ReadSection section;
            job->deadline_timer = 0;
            job->deadline = resolver::kNever;
            job->resolution->on_deadline();
            drive(id);
        });
    }

    void send(Job& job, const resolver::UpstreamQuery& query) {
        resolver::UpstreamKey key = query.key();
        job.in_flight.emplace(query.token, key);
        const auto found = flights_.find(key);
        if (found != flights_.end()) {
            found->second.waiters.emplace_back(job.id, query.token);
            count(coalesced_upstream_);
            return;
        }
        std::uint8_t wire[512];
        const std::size_t size = query.write(0, wire);
        net::UpstreamQuery out;
        out.server = net::Endpoint{query.server.address, query.server.port};
        out.message.assign(wire, wire + size);
        out.deadline = loop_.now() + std::chrono::milliseconds(std::max<resolver::Millis>(query.timeout, 1));
        out.tcp = query.transport == resolver::UpstreamTransport::tcp;
        Flight& flight = flights_[key];
        flight.waiters.emplace_back(job.id, query.token);
        flight.query = upstream_.send(
            std::move(out), [this, key](const net::UpstreamReply& reply) { on_upstream(key, reply); });
    }

    void on_upstream(const resolver::UpstreamKey& key, const net::UpstreamReply& reply) {
        const auto found = flights_.find(key);
        if (found == flights_.end()) return;
        const auto waiters = std::move(found->second.waiters);
        flights_.erase(found);
        resolver::ReadSection section;
        for (const auto& [id, token] : waiters) {
            Job* job = find(id);
            if (job == nullptr || job->in_flight.erase(token) == 0) continue;
            try {
                if (reply.status == net::UpstreamStatus::answer) {
                    // The client matched source, ID and question already; a reply the Resolution still
                    // cannot take ends the query as if it had timed out, so that the Resolution moves on.
                    if (job->resolution->consume(token, reply.message) == resolver::ConsumeResult::ignored)
                        job->resolution->consume_failure(token, resolver::UpstreamError::timeout);
                } else {
                    job->resolution->consume_failure(token, upstream_error(reply));
                }
            } catch (const std::exception& e) {
                repeated(Repeated::upstream_reply_failed).error("reply from {}: {}", reply.id, e.what());
            }
        }
        for (const auto& [id, token] : waiters)
            drive(id);
    }

    // Writes the client's response (the stale one, or the final one) and sends it.
    void answer(Job& job, Client& client, bool stale) {
        if (client.answered) return;
        // fetches-per-zone/-server with `drop` (BIND's DNS_R_DROP): the client hears nothing.
        if (!stale && job.resolution->outcome().dropped) return let_go(client);
        const bool tcp = client.reply.tcp();
        std::size_t size =
            stale ? job.resolution->write_stale(client.parsed, response_, tcp, client.cookie.span())
                  : job.resolution->finish(client.parsed, response_, tcp, client.cookie.span());
        if (size == 0 || size > response_.size()) return fail(job, client);
        if (client.rate_limit != nullptr && !tcp && driver_.limiter_) {
            net::ClientInfo who = client.reply.client();
            who.worker = slot_;  // this thread's counters, not the query worker's
            size =
                driver_.limiter_(*client.rate_limit, client.query, response_, size, who, client.view_index);
            if (size == 0) return let_go(client);  // dropped, as BIND drops
        }
        deliver(job, client, {response_.data(), size}, stale);
    }

    // A response that could not be written: SERVFAIL, so that the client does not wait in vain.
    void fail(Job& job, Client& client) {
        if (client.answered) return;
        const std::size_t size =
            write_refusal(client.parsed, response_, !client.reply.tcp(), dns::Rcode::SERVFAIL,
                          dns::EdeCode::OtherError, "internal error");
        if (size == 0) {
            let_go(client);
            return;
        }
        deliver(job, client, {response_.data(), size}, false);
    }

    void deliver(Job& job, Client& client, std::span<const std::uint8_t> response, bool stale) {
        client.answered = true;
        client.reply.send(response);
        driver_.waiting_.fetch_sub(1, std::memory_order_relaxed);
        if (driver_.observer_)
            driver_.observer_({response, client.reply.client(), client.view_index, slot_,
                               &job.resolution->outcome(), stale});
    }

    void let_go(Client& client) {
        if (client.answered) return;
        client.answered = true;
        client.reply.abandon();
        driver_.waiting_.fetch_sub(1, std::memory_order_relaxed);
    }

    // Forgets a job: its timer, and its upstream queries no other job waits for.
    void finish(Job& job) {
        if (job.deadline_timer != 0) loop_.cancel(job.deadline_timer);
        for (const auto& [token, key] : job.in_flight) {
            const auto found = flights_.find(key);
            if (found == flights_.end()) continue;
            auto& waiters = found->second.waiters;
            std::erase_if(waiters, [&](const auto& waiter) { return waiter.first == job.id; });
            if (waiters.empty()) {
                upstream_.cancel(found->second.query);
                flights_.erase(found);
            }
        }
        for (auto& client : job.clients)
            let_go(*client);
        by_question_.erase(job.key);
        const std::uint64_t id = job.id;
        // The Resolution may still be on this thread's stack (drive): freed at the end of the turn.
        loop_.at_end_of_turn([owned = std::shared_ptr<Job>(std::move(jobs_.at(id)))] {});
        jobs_.erase(id);
        count(resolutions_, -1);
    }

    void let_everyone_go() {
        for (auto& [id, job] : jobs_) {
            for (auto& client : job->clients)
                let_go(*client);
        }
    }

    ResolutionDriver& driver_;
    unsigned slot_;
    net::EventLoop loop_;
    net::UpstreamClient upstream_;
    std::thread thread_;
    std::vector<std::uint8_t> response_;
    std::uint64_t next_job_ = 1;
    std::unordered_map<std::uint64_t, std::unique_ptr<Job>> jobs_;
    std::unordered_map<JobKey, std::uint64_t, JobKeyHash> by_question_;
    std::unordered_map<resolver::UpstreamKey, Flight, UpstreamKeyHash> flights_;
    std::atomic<std::uint64_t> resolutions_{0}, coalesced_clients_{0}, coalesced_upstream_{0};
};

ResolutionDriver::ResolutionDriver(Options options, Observer observer)
    : options_(options), observer_(std::move(observer)), recursive_clients_(options.recursive_clients) {
    if (options_.threads == 0) options_.threads = 1;
    for (unsigned i = 0; i < options_.threads; ++i)
        loops_.push_back(std::make_unique<Loop>(*this, options_.first_thread_slot + i));
}

ResolutionDriver::~ResolutionDriver() {
    stop();
}

void ResolutionDriver::start() {
    for (auto& loop : loops_)
        loop->start();
}

void ResolutionDriver::stop() {
    stopping_ = true;
    for (auto& loop : loops_)
        loop->stop();
}

unsigned ResolutionDriver::thread_count() const {
    return static_cast<unsigned>(loops_.size());
}

ResolutionDriver::Loop& ResolutionDriver::loop_for(const ViewResolver& view,
                                                   const resolver::QuestionKey& key) {
    const std::size_t hash = key.hash() ^ (std::hash<const void*>()(&view) * 31);
    return *loops_[hash % loops_.size()];
}

bool ResolutionDriver::resolve(std::shared_ptr<ViewResolver> view, std::span<const std::uint8_t> query,
                               const dns::ParsedQuery& parsed, const net::ClientInfo& client,
                               std::size_t view_index, std::shared_ptr<RateLimit> rate_limit,
                               const ClientCookie& cookie) {
    if (stopping_.load(std::memory_order_relaxed)) return false;
    if (waiting_.fetch_add(1, std::memory_order_relaxed) >=
        recursive_clients_.load(std::memory_order_relaxed)) {
        waiting_.fetch_sub(1, std::memory_order_relaxed);
        dropped_.fetch_add(1, std::memory_order_relaxed);
        return false;
    }
    // The query is copied and parsed again where it lives: the parsed form points into its bytes.
    auto waiting = std::make_shared<Client>();
    waiting->query.assign(query.begin(), query.end());
    waiting->reply = net::DeferredReply(client);
    waiting->view_index = view_index;
    waiting->rate_limit = std::move(rate_limit);
    waiting->cookie = cookie;
    Loop& loop = loop_for(*view, resolver::question_key(parsed));
    loop.post([&loop, view = std::move(view), waiting = std::move(waiting)]() mutable {
        auto owned = std::make_unique<Client>(std::move(*waiting));
        dns::parse_query(owned->query, owned->parsed);
        loop.add_client(std::move(view), std::move(owned));
    });
    return true;
}

void ResolutionDriver::refresh(std::shared_ptr<ViewResolver> view, const dns::ParsedQuery& parsed) {
    refresh(std::move(view), resolver::ClientQuestion::from_query(parsed));
}

void ResolutionDriver::refresh(std::shared_ptr<ViewResolver> view, const resolver::ClientQuestion& question) {
    if (stopping_.load(std::memory_order_relaxed)) return;
    Loop& loop = loop_for(*view, resolver::question_key(question));
    loop.post(
        [&loop, view = std::move(view), question]() mutable { loop.add_refresh(std::move(view), question); });
}

DriverCounters ResolutionDriver::counters() const {
    DriverCounters out;
    out.clients_waiting = waiting_.load(std::memory_order_relaxed);
    out.clients_limit = recursive_clients_.load(std::memory_order_relaxed);
    out.clients_dropped = dropped_.load(std::memory_order_relaxed);
    for (const auto& loop : loops_) {
        out.resolutions += loop->resolutions();
        out.coalesced_clients += loop->coalesced_clients();
        out.coalesced_upstream += loop->coalesced_upstream();
        const net::UpstreamCounters c = loop->upstream_counters();
        out.upstream.udp_queries += c.udp_queries;
        out.upstream.tcp_queries += c.tcp_queries;
        out.upstream.answers += c.answers;
        out.upstream.timeouts += c.timeouts;
        out.upstream.network_errors += c.network_errors;
        out.upstream.truncated += c.truncated;
        out.upstream.ignored += c.ignored;
    }
    return out;
}

}  // namespace cairn::server
