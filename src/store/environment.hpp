// The LMDB environment that holds cairn's persistent state: IXFR journals and secondary zone timers.
// One environment (a directory with data.mdb and lock.mdb) per server; every change is one LMDB write
// transaction, so a crash leaves either the old or the new state, never a mix.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <shared_mutex>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

struct MDB_env;
struct MDB_txn;

namespace cairn::store {

// Any LMDB failure (cannot open, map full, corrupted value), with the operation and LMDB's reason.
class StoreError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

enum class Table : std::uint8_t { Journal = 0, Timers = 1 };

struct EnvironmentOptions {
    // Address space reserved at first; the file grows as used, and the map doubles when a write finds it
    // full (up to max_map_size), so that journalling never stops for want of room.
    std::size_t map_size = std::size_t{1} << 30;
    std::size_t max_map_size = std::size_t{1} << 40;
    bool sync = true;  // fsync on commit (tests may turn it off for speed)
    // Called (in the writing thread, the map held alone) after the map grew: the old and new sizes.
    std::function<void(std::size_t from, std::size_t to)> grown;
};

class Environment {
  public:
    // Creates `directory` when missing. Throws StoreError.
    explicit Environment(const std::string& directory, EnvironmentOptions options = {});
    ~Environment();
    Environment(const Environment&) = delete;
    Environment& operator=(const Environment&) = delete;

    const std::string& directory() const { return directory_; }

    // A read-only or read-write view inside one transaction. Keys and values are byte strings.
    class Txn {
      public:
        bool get(Table table, std::span<const std::uint8_t> key, std::vector<std::uint8_t>& value) const;
        void put(Table table, std::span<const std::uint8_t> key, std::span<const std::uint8_t> value);
        bool erase(Table table, std::span<const std::uint8_t> key);
        // Visits keys starting with `prefix` in key order until `visit` returns false.
        void scan(Table table, std::span<const std::uint8_t> prefix,
                  const std::function<bool(std::span<const std::uint8_t> key,
                                           std::span<const std::uint8_t> value)>& visit) const;

      private:
        friend class Environment;
        Txn(const Environment& env, MDB_txn* txn) : env_(env), txn_(txn) {}
        const Environment& env_;
        MDB_txn* txn_;
    };

    // Runs `work` in one transaction; a write transaction commits when `work` returns and aborts when it
    // throws (the exception propagates). Throws StoreError on LMDB failures. A write that finds the map
    // full grows it and runs `work` again in a new transaction.
    void read(const std::function<void(const Txn&)>& work) const;
    void write(const std::function<void(Txn&)>& work);

    std::size_t map_size() const;

  private:
    unsigned dbi(Table table) const { return dbis_[static_cast<std::size_t>(table)]; }
    bool grow();  // doubles the map; false at the maximum
    std::string directory_;
    EnvironmentOptions options_;
    // Readers and writers share it; growing the map takes it alone (LMDB wants no transaction open then).
    mutable std::shared_mutex resize_;
    MDB_env* env_ = nullptr;
    unsigned dbis_[2] = {0, 0};
};

}  // namespace cairn::store
