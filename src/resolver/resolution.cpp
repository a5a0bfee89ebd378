#include "resolver/resolution.hpp"

#include "resolver/context.hpp"

namespace cairn::resolver {

struct Resolution::Impl {
    ResolverContext& ctx;
    ClientQuestion question;
    ResolutionOutcome outcome;
};

Resolution::Resolution(ResolverContext& ctx, const ClientQuestion& question, Purpose)
    : impl_(std::make_unique<Impl>(Impl{ctx, question, {}})) {}
Resolution::~Resolution() = default;
const ClientQuestion& Resolution::question() const {
    return impl_->question;
}
bool Resolution::produce(UpstreamQuery&) {
    return false;
}
ConsumeResult Resolution::consume(Token, std::span<const std::uint8_t>) {
    return ConsumeResult::ignored;
}
void Resolution::consume_failure(Token, UpstreamError) {}
Millis Resolution::next_deadline() const {
    return kNever;
}
void Resolution::on_deadline() {}
bool Resolution::stale_answer_ready() const {
    return false;
}
std::size_t Resolution::write_stale(const dns::ParsedQuery&, std::span<std::uint8_t>, bool) {
    return 0;
}
bool Resolution::done() const {
    return true;
}
std::size_t Resolution::finish(const dns::ParsedQuery&, std::span<std::uint8_t>, bool) const {
    return 0;
}
const ResolutionOutcome& Resolution::outcome() const {
    return impl_->outcome;
}
std::size_t Resolution::in_flight() const {
    return 0;
}

}  // namespace cairn::resolver
