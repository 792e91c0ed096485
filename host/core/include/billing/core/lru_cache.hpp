// A map of at most `capacity` entries that, when a new key arrives at a full map, evicts the one
// entry used least recently: the host's caches (API keys, tenants, system accounts, policy
// instances per tenant config, prepared statements) keep their hot entries when a burst of cold
// keys passes through, instead of dropping everything and reading it all again at once.
//
// Not thread-safe: each owner keeps it under the mutex that already guards its other state.
//
// Why not a library's: Poco::LRUCache (Foundation, in our stack) locks a mutex of its own and
// fires add/get/remove events on every access, hands values out only as SharedPtr copies (no
// move-only values such as prepared statements held in place), and its expiring variants read the
// wall clock; Boost 1.74 has no public LRU container. This one is a list and an index into it.
#pragma once

#include <cassert>
#include <cstddef>
#include <functional>
#include <list>
#include <unordered_map>
#include <utility>

namespace billing {

template <class Key, class Value, class Hash = std::hash<Key>, class Equal = std::equal_to<Key>>
class LruCache {
    using Entry = std::pair<const Key, Value>;
    using List = std::list<Entry>;

    // The index refers to the key inside its list node (nodes never move), so a long key, such as
    // a tenant's config text or an SQL statement, is stored once.
    struct RefHash {
        std::size_t operator()(const std::reference_wrapper<const Key>& key) const { return Hash{}(key.get()); }
    };
    struct RefEqual {
        bool operator()(const std::reference_wrapper<const Key>& a, const std::reference_wrapper<const Key>& b) const {
            return Equal{}(a.get(), b.get());
        }
    };

public:
    using const_iterator = typename List::const_iterator;

    explicit LruCache(std::size_t capacity) : capacity_(capacity) { assert(capacity > 0); }
    LruCache(const LruCache&) = delete;
    LruCache& operator=(const LruCache&) = delete;
    // A moved std::list keeps its nodes, so the index stays valid.
    LruCache(LruCache&&) noexcept = default;
    LruCache& operator=(LruCache&&) noexcept = default;

    // The value stored for key, now the most recently used; nullptr when there is none.
    Value* find(const Key& key) {
        const auto found = index_.find(std::cref(key));
        if (found == index_.end()) return nullptr;
        entries_.splice(entries_.begin(), entries_, found->second);
        return &found->second->second;
    }

    // Stores value for key (replacing a value already there) as the most recently used entry.
    // A new key at capacity first evicts the least recently used entry, and only that one.
    Value& put(const Key& key, Value value) {
        if (Value* existing = find(key)) {
            *existing = std::move(value);
            return *existing;
        }
        if (entries_.size() == capacity_) {
            index_.erase(std::cref(entries_.back().first));
            entries_.pop_back();
        }
        entries_.emplace_front(key, std::move(value));
        index_.emplace(std::cref(entries_.front().first), entries_.begin());
        return entries_.front().second;
    }

    // Drops key's entry; false when there was none.
    bool erase(const Key& key) {
        const auto found = index_.find(std::cref(key));
        if (found == index_.end()) return false;
        const auto entry = found->second;
        index_.erase(found);
        entries_.erase(entry);
        return true;
    }

    // Drops every entry for which drop(key, value) is true.
    template <class Predicate>
    void erase_if(Predicate drop) {
        for (auto it = entries_.begin(); it != entries_.end();) {
            if (drop(it->first, it->second)) {
                index_.erase(std::cref(it->first));
                it = entries_.erase(it);
            } else {
                ++it;
            }
        }
    }

    void clear() noexcept {
        index_.clear();
        entries_.clear();
    }

    [[nodiscard]] std::size_t size() const noexcept { return entries_.size(); }
    [[nodiscard]] std::size_t capacity() const noexcept { return capacity_; }
    [[nodiscard]] bool contains(const Key& key) const { return index_.count(std::cref(key)) != 0; }

    // Every entry, the most recently used first; iterating does not count as a use.
    [[nodiscard]] const_iterator begin() const noexcept { return entries_.begin(); }
    [[nodiscard]] const_iterator end() const noexcept { return entries_.end(); }

private:
    std::size_t capacity_;
    List entries_;
    std::unordered_map<std::reference_wrapper<const Key>, typename List::iterator, RefHash, RefEqual> index_;
};

}  // namespace billing
