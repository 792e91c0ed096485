// What the database must hold, worked out from the drivers' answers alone: each order's money
// and how it must have ended, each customer account's balance, and how often each kind of
// operation was acknowledged. Every operation the drivers sent has an answer by the end (those a
// kill left in flight, one per writer at most, are sent again under their keys by the next
// driver, and the final drain run answers the last), so nothing here is a guess: an ACK says what
// committed, a DUP says what the run that committed it stored, a NACK says nothing did. Each
// writer has accounts and orders of its own, so answers of different writers never touch the
// same order or balance, and their order between writers does not matter.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "journal.hpp"

namespace billing::crash {

struct OrderModel {
    std::string tenant_tag;
    std::string account;
    std::string product;
    long long price = 0;              // the purchase's charge
    long long charged = 0;            // the purchase and every allowed extension
    long long extension_charges = 0;  // captured at once, never refunded by a cancel
    long long rented_hours = 0;       // a rental's purchased and extended hours
    bool cancelled = false;           // an allowed cancel
    bool delivered = false;           // an allowed message on an activation
};

// How often each kind of work was acknowledged, so that a mix that stops exercising one fails.
struct Tally {
    int deposits = 0;
    int activations = 0;
    int rentals = 0;
    int cancels_too_early = 0;   // an activation cancelled before its 2-minute mark: denied
    int cancels_after_mark = 0;  // an activation cancelled after it (and before its window ended)
    int rental_cancels = 0;      // a rental cancelled within its cancel window
    int messages_allowed = 0;    // a code delivered
    int extensions_allowed = 0;
    int advances = 0;              // test clock advances of the lab tenant
    long long advance_timers = 0;  // timers those advances ran
    int advance_reruns = 0;        // advances that waited for a killed driver's lease on a timer
    int refused = 0;               // NACKs (money ran short)
};

struct Model {
    std::map<std::string, OrderModel> orders;
    // Per customer account: what the answers moved (the set-up deposit not included), and what
    // the timers must have refunded (activations that neither a cancel nor a code closed).
    std::map<std::string, long long> balances;
    Tally tally;
    std::vector<std::string> problems;  // answers that contradict one another
};

// OTPDesk's rental price (config/otpdesk.toml): ceil(hours * price_per_day_minor / 24).
long long rental_price_minor(long long hours);

Model build_model(const Journal& journal);

}  // namespace billing::crash
