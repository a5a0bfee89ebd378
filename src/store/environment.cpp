#include "store/environment.hpp"

#include <lmdb.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <mutex>

namespace cairn::store {

namespace {

void check(int rc, const std::string& what) {
    if (rc != MDB_SUCCESS) throw StoreError(what + ": " + mdb_strerror(rc));
}

MDB_val val(std::span<const std::uint8_t> bytes) {
    return MDB_val{bytes.size(), const_cast<std::uint8_t*>(bytes.data())};
}

std::span<const std::uint8_t> span_of(const MDB_val& v) {
    return {static_cast<const std::uint8_t*>(v.mv_data), v.mv_size};
}

constexpr const char* kTableNames[] = {"journal", "timers"};

}  // namespace

// MDB_MAP_FULL, from a put or a commit: the write is retried in a bigger map.
class MapFull : public StoreError {
  public:
    using StoreError::StoreError;
};

Environment::Environment(const std::string& directory, EnvironmentOptions options)
    : directory_(directory), options_(options) {
    if (::mkdir(directory.c_str(), 0750) != 0 && errno != EEXIST)
        throw StoreError("cannot create " + directory + ": " + std::strerror(errno));
    check(mdb_env_create(&env_), "lmdb env create");
    try {
        check(mdb_env_set_maxdbs(env_, 4), "lmdb set maxdbs");
        check(mdb_env_set_mapsize(env_, options.map_size), "lmdb set map size");
        // NOTLS: read transactions are not tied to a thread (transfer threads and workers share the env).
        const unsigned flags = MDB_NOTLS | (options.sync ? 0u : MDB_NOSYNC);
        check(mdb_env_open(env_, directory.c_str(), flags, 0640), "cannot open store " + directory);
        MDB_txn* txn = nullptr;
        check(mdb_txn_begin(env_, nullptr, 0, &txn), "lmdb begin");
        for (std::size_t i = 0; i < 2; ++i) {
            const int rc = mdb_dbi_open(txn, kTableNames[i], MDB_CREATE, &dbis_[i]);
            if (rc != MDB_SUCCESS) {
                mdb_txn_abort(txn);
                check(rc, std::string("lmdb open table ") + kTableNames[i]);
            }
        }
        check(mdb_txn_commit(txn), "lmdb commit");
    } catch (...) {
        mdb_env_close(env_);
        throw;
    }
}

Environment::~Environment() {
    mdb_env_close(env_);
}

bool Environment::Txn::get(Table table, std::span<const std::uint8_t> key,
                           std::vector<std::uint8_t>& value) const {
    MDB_val k = val(key), v{};
    const int rc = mdb_get(txn_, env_.dbi(table), &k, &v);
    if (rc == MDB_NOTFOUND) return false;
    check(rc, "lmdb get");
    const auto s = span_of(v);
    value.assign(s.begin(), s.end());
    return true;
}

void Environment::Txn::put(Table table, std::span<const std::uint8_t> key,
                           std::span<const std::uint8_t> value) {
    MDB_val k = val(key), v = val(value);
    const int rc = mdb_put(txn_, env_.dbi(table), &k, &v, 0);
    if (rc == MDB_MAP_FULL) throw MapFull("lmdb put: map full");
    check(rc, "lmdb put in " + env_.directory_);
}

bool Environment::Txn::erase(Table table, std::span<const std::uint8_t> key) {
    MDB_val k = val(key);
    const int rc = mdb_del(txn_, env_.dbi(table), &k, nullptr);
    if (rc == MDB_NOTFOUND) return false;
    check(rc, "lmdb delete");
    return true;
}

void Environment::Txn::scan(
    Table table, std::span<const std::uint8_t> prefix,
    const std::function<bool(std::span<const std::uint8_t>, std::span<const std::uint8_t>)>& visit) const {
    MDB_cursor* cursor = nullptr;
    check(mdb_cursor_open(txn_, env_.dbi(table), &cursor), "lmdb cursor");
    MDB_val k = val(prefix), v{};
    int rc = mdb_cursor_get(cursor, &k, &v, MDB_SET_RANGE);
    try {
        while (rc == MDB_SUCCESS) {
            const auto key = span_of(k);
            if (key.size() < prefix.size() || std::memcmp(key.data(), prefix.data(), prefix.size()) != 0)
                break;
            if (!visit(key, span_of(v))) break;
            rc = mdb_cursor_get(cursor, &k, &v, MDB_NEXT);
        }
    } catch (...) {
        mdb_cursor_close(cursor);
        throw;
    }
    mdb_cursor_close(cursor);
    if (rc != MDB_SUCCESS && rc != MDB_NOTFOUND) check(rc, "lmdb cursor walk");
}

void Environment::read(const std::function<void(const Txn&)>& work) const {
    std::shared_lock lock(resize_);
    MDB_txn* txn = nullptr;
    check(mdb_txn_begin(env_, nullptr, MDB_RDONLY, &txn), "lmdb begin read");
    try {
        work(Txn(*this, txn));
    } catch (...) {
        mdb_txn_abort(txn);
        throw;
    }
    mdb_txn_abort(txn);
}

void Environment::write(const std::function<void(Txn&)>& work) {
    for (;;) {
        {
            std::shared_lock lock(resize_);
            MDB_txn* txn = nullptr;
            check(mdb_txn_begin(env_, nullptr, 0, &txn), "lmdb begin write");
            try {
                Txn t(*this, txn);
                work(t);
            } catch (const MapFull&) {
                mdb_txn_abort(txn);
                txn = nullptr;
            } catch (...) {
                mdb_txn_abort(txn);
                throw;
            }
            if (txn != nullptr) {
                const int rc = mdb_txn_commit(txn);
                if (rc != MDB_MAP_FULL) {
                    check(rc, "lmdb commit in " + directory_);
                    return;
                }
            }
        }
        if (!grow())
            throw StoreError("lmdb store " + directory_ + " is full at its largest size (" +
                             std::to_string(map_size() >> 20) + " MiB)");
    }
}

std::size_t Environment::map_size() const {
    MDB_envinfo info{};
    mdb_env_info(env_, &info);
    return info.me_mapsize;
}

bool Environment::grow() {
    std::unique_lock lock(resize_);
    const std::size_t current = map_size();
    if (current >= options_.max_map_size) return false;
    check(mdb_env_set_mapsize(env_, std::min(current * 2, options_.max_map_size)), "lmdb grow the map");
    const std::size_t grown = map_size();
    lock.unlock();
    if (options_.grown) options_.grown(current, grown);
    return true;
}

}  // namespace cairn::store
