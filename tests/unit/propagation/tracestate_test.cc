#include "edge/propagation/tracestate.h"

#include <doctest/doctest.h>

#include <string>
#include <string_view>

#include "edge/json/byte_writer.h"

namespace edge {
namespace {

void CheckRejected(std::string_view header) {
  const TraceState state = TraceState::Parse(header);
  CHECK_FALSE(state.valid());
  CHECK(state.size() == 0);
}

void CheckAccepted(std::string_view header, size_t members) {
  const TraceState state = TraceState::Parse(header);
  CHECK(state.valid());
  CHECK(state.size() == members);
}

// Serialises into a buffer far larger than the propagation limit.
std::string Serialize(const TraceState& state) {
  char buffer[2048];
  ByteWriter writer(buffer, sizeof(buffer));
  const size_t written = state.Serialize(writer);
  CHECK(written == writer.size());
  return std::string(writer.view());
}

// "k<i>=" followed by 'v' padding, `size` chars in all.
std::string Member(int i, size_t size) {
  std::string member = "k" + std::to_string(i) + "=";
  member.append(size - member.size(), 'v');
  return member;
}

std::string MembersHeader(size_t count) {
  std::string header;
  for (size_t i = 0; i < count; ++i) {
    if (i > 0) header += ",";
    header += "k" + std::to_string(i) + "=v";
  }
  return header;
}

// --- parsing: list structure ---

TEST_CASE("tracestate: empty header is valid and empty") { CheckAccepted("", 0); }

TEST_CASE("tracestate: one member") {
  const TraceState state = TraceState::Parse("congo=t61rcWkgMzE");
  REQUIRE(state.size() == 1);
  CHECK(state.at(0).key == "congo");
  CHECK(state.at(0).value == "t61rcWkgMzE");
}

TEST_CASE("tracestate: members keep their order") {
  const TraceState state = TraceState::Parse("rojo=00f067aa0ba902b7,congo=t61rcWkgMzE");
  REQUIRE(state.size() == 2);
  CHECK(state.at(0).key == "rojo");
  CHECK(state.at(1).key == "congo");
}

TEST_CASE("tracestate: OWS (spaces and tabs) around members is allowed") {
  const TraceState state = TraceState::Parse(" \trojo=1 ,\tcongo=2\t ");
  REQUIRE(state.size() == 2);
  CHECK(state.at(0).key == "rojo");
  CHECK(state.at(0).value == "1");
  CHECK(state.at(1).value == "2");
}

TEST_CASE("tracestate: empty and whitespace-only members are skipped") {
  CheckAccepted(",,a=1, ,\t,b=2,", 2);
  CheckAccepted(" ", 0);
  CheckAccepted(",", 0);
}

TEST_CASE("tracestate: at most 32 members") {
  CheckAccepted(MembersHeader(TraceState::kMaxMembers), TraceState::kMaxMembers);
  CheckRejected(MembersHeader(TraceState::kMaxMembers + 1));
}

TEST_CASE("tracestate: empty members do not count towards the 32") {
  CheckAccepted(MembersHeader(TraceState::kMaxMembers) + ",,, ,", TraceState::kMaxMembers);
}

TEST_CASE("tracestate: member without '=' is invalid") {
  CheckRejected("a");
  CheckRejected("a=1,b");
}

TEST_CASE("tracestate: duplicate keys are invalid") { CheckRejected("a=1,b=2,a=3"); }

TEST_CASE("tracestate: one malformed member invalidates the whole header") {
  CheckRejected("a=1,b=2,C=3");
}

// --- parsing: keys ---

TEST_CASE("tracestate: simple key must start with lcalpha") {
  CHECK(TraceState::IsValidKey("a"));
  CHECK_FALSE(TraceState::IsValidKey("1a"));
  CHECK_FALSE(TraceState::IsValidKey("_a"));
  CheckRejected("1a=b");
}

TEST_CASE("tracestate: simple key may contain lcalpha, DIGIT, '_', '-', '*', '/'") {
  CHECK(TraceState::IsValidKey("a0_-*/z9"));
  CheckAccepted("a0_-*/z9=v", 1);
}

TEST_CASE("tracestate: upper-case key is invalid") {
  CHECK_FALSE(TraceState::IsValidKey("Rojo"));
  CHECK_FALSE(TraceState::IsValidKey("roJo"));
  CheckRejected("Rojo=1");
}

TEST_CASE("tracestate: key with other characters is invalid") {
  CHECK_FALSE(TraceState::IsValidKey("a.b"));
  CHECK_FALSE(TraceState::IsValidKey("a b"));
  CHECK_FALSE(TraceState::IsValidKey("a:b"));
  CheckRejected("a b=1");
}

TEST_CASE("tracestate: empty key is invalid") {
  CHECK_FALSE(TraceState::IsValidKey(""));
  CheckRejected("=1");
}

TEST_CASE("tracestate: simple key is at most 256 chars") {
  CHECK(TraceState::IsValidKey(std::string(256, 'k')));
  CHECK_FALSE(TraceState::IsValidKey(std::string(257, 'k')));
  CheckAccepted(std::string(256, 'k') + "=v", 1);
  CheckRejected(std::string(257, 'k') + "=v");
}

TEST_CASE("tracestate: multi-tenant key is tenant-id '@' system-id") {
  CHECK(TraceState::IsValidKey("tenant@system"));
  CHECK(TraceState::IsValidKey("t@s"));
  CheckAccepted("fw529a3039@dt=x", 1);
}

TEST_CASE("tracestate: tenant-id may start with a digit") {
  CHECK(TraceState::IsValidKey("1tenant@system"));
  CHECK_FALSE(TraceState::IsValidKey("_tenant@system"));
}

TEST_CASE("tracestate: tenant-id is 1 to 241 chars") {
  CHECK_FALSE(TraceState::IsValidKey("@system"));
  CHECK(TraceState::IsValidKey(std::string(241, 't') + "@s"));
  CHECK_FALSE(TraceState::IsValidKey(std::string(242, 't') + "@s"));
}

TEST_CASE("tracestate: system-id starts with lcalpha and is 1 to 14 chars") {
  CHECK_FALSE(TraceState::IsValidKey("tenant@"));
  CHECK_FALSE(TraceState::IsValidKey("tenant@1sys"));
  CHECK(TraceState::IsValidKey("t@" + std::string(14, 's')));
  CHECK_FALSE(TraceState::IsValidKey("t@" + std::string(15, 's')));
  CHECK(TraceState::IsValidKey(std::string(241, 't') + "@" + std::string(14, 's')));
}

TEST_CASE("tracestate: key with two '@' is invalid") {
  CHECK_FALSE(TraceState::IsValidKey("a@b@c"));
  CheckRejected("a@b@c=1");
}

TEST_CASE("tracestate: upper case in a multi-tenant key is invalid") {
  CHECK_FALSE(TraceState::IsValidKey("Tenant@system"));
  CHECK_FALSE(TraceState::IsValidKey("tenant@System"));
}

// --- parsing: values ---

TEST_CASE("tracestate: value is printable ASCII except ',' and '='") {
  CHECK(TraceState::IsValidValue("!\"#$%&'()*+-./0123456789:;<>?@AZ[\\]^_`az{|}~"));
  CHECK_FALSE(TraceState::IsValidValue("a=b"));
  CHECK_FALSE(TraceState::IsValidValue("a,b"));
  CheckRejected("k=a=b");
}

TEST_CASE("tracestate: empty value is invalid") {
  CHECK_FALSE(TraceState::IsValidValue(""));
  CheckRejected("k=");
  CheckRejected("k= ");
}

TEST_CASE("tracestate: value may contain spaces but not end with one") {
  CHECK(TraceState::IsValidValue("a b"));
  CHECK(TraceState::IsValidValue(" b"));
  CHECK_FALSE(TraceState::IsValidValue("b "));
  const TraceState state = TraceState::Parse("k= a b");
  REQUIRE(state.size() == 1);
  CHECK(state.at(0).value == " a b");
}

TEST_CASE("tracestate: trailing OWS after a value belongs to the list, not the value") {
  const TraceState state = TraceState::Parse("k=v  ,j=w");
  REQUIRE(state.size() == 2);
  CHECK(state.at(0).value == "v");
}

TEST_CASE("tracestate: tab, control and non-ASCII chars in a value are invalid") {
  CHECK_FALSE(TraceState::IsValidValue("a\tb"));
  CHECK_FALSE(TraceState::IsValidValue(std::string_view("a\0b", 3)));
  CHECK_FALSE(TraceState::IsValidValue("a\x7f"));
  CHECK_FALSE(TraceState::IsValidValue("caf\xc3\xa9"));
  CheckRejected("k=a\tb");
}

TEST_CASE("tracestate: value is at most 256 chars") {
  CHECK(TraceState::IsValidValue(std::string(256, 'v')));
  CHECK_FALSE(TraceState::IsValidValue(std::string(257, 'v')));
  CheckAccepted("k=" + std::string(256, 'v'), 1);
  CheckRejected("k=" + std::string(257, 'v'));
}

// --- access and mutation ---

TEST_CASE("tracestate: Get returns the value, or empty when absent") {
  const TraceState state = TraceState::Parse("a=1,ot=th:c");
  CHECK(state.Get("ot") == "th:c");
  CHECK(state.Get("a") == "1");
  CHECK(state.Get("b").empty());
  CHECK(state.Get("").empty());
}

TEST_CASE("tracestate: Upsert of a new key puts it on the left") {
  TraceState state = TraceState::Parse("a=1,b=2");
  CHECK(state.Upsert("ot", "th:0"));
  REQUIRE(state.size() == 3);
  CHECK(Serialize(state) == "ot=th:0,a=1,b=2");
}

TEST_CASE("tracestate: Upsert of an existing key replaces it and moves it to the left") {
  TraceState state = TraceState::Parse("a=1,ot=th:c,b=2");
  CHECK(state.Upsert("ot", "th:8"));
  CHECK(state.size() == 3);
  CHECK(Serialize(state) == "ot=th:8,a=1,b=2");
}

TEST_CASE("tracestate: Upsert rejects a malformed key or value and changes nothing") {
  TraceState state = TraceState::Parse("a=1");
  CHECK_FALSE(state.Upsert("Bad", "1"));
  CHECK_FALSE(state.Upsert("a", "x=y"));
  CHECK_FALSE(state.Upsert("a", ""));
  CHECK(Serialize(state) == "a=1");
}

TEST_CASE("tracestate: Upsert into a full list drops the right-most member") {
  const std::string header = MembersHeader(TraceState::kMaxMembers);
  TraceState state = TraceState::Parse(header);
  REQUIRE(state.size() == TraceState::kMaxMembers);
  CHECK(state.Upsert("ot", "th:0"));
  CHECK(state.size() == TraceState::kMaxMembers);
  CHECK(state.at(0).key == "ot");
  CHECK(state.at(1).key == "k0");
  CHECK(state.Get("k31").empty());
  CHECK(state.Get("k30") == "v");
}

TEST_CASE("tracestate: Upsert of an existing key in a full list drops nothing else") {
  const std::string header = MembersHeader(TraceState::kMaxMembers);
  TraceState state = TraceState::Parse(header);
  CHECK(state.Upsert("k31", "new"));
  CHECK(state.size() == TraceState::kMaxMembers);
  CHECK(state.at(0).key == "k31");
  CHECK(state.Get("k30") == "v");
}

TEST_CASE("tracestate: Upsert after a malformed header starts a fresh list") {
  TraceState state = TraceState::Parse("a=1,,B=2");
  REQUIRE_FALSE(state.valid());
  CHECK(state.Upsert("ot", "th:0"));
  CHECK(Serialize(state) == "ot=th:0");
}

TEST_CASE("tracestate: Erase removes the member and keeps the order") {
  TraceState state = TraceState::Parse("a=1,b=2,c=3");
  state.Erase("b");
  CHECK(Serialize(state) == "a=1,c=3");
  state.Erase("missing");
  CHECK(Serialize(state) == "a=1,c=3");
  state.Erase("a");
  state.Erase("c");
  CHECK(state.size() == 0);
}

// --- serialisation ---

TEST_CASE("tracestate: Serialize joins members with ',' and drops OWS and empty members") {
  CHECK(Serialize(TraceState::Parse(" a=1 ,, b=2\t")) == "a=1,b=2");
}

TEST_CASE("tracestate: Serialize of an empty list writes nothing") {
  CHECK(Serialize(TraceState::Parse("")).empty());
  CHECK(Serialize(TraceState::Parse("Bad=1")).empty());
}

TEST_CASE("tracestate: Serialize appends after what the writer already holds") {
  char buffer[64];
  ByteWriter writer(buffer, sizeof(buffer));
  writer.Append("tracestate: ");
  CHECK(TraceState::Parse("a=1").Serialize(writer) == 3);
  CHECK(writer.view() == "tracestate: a=1");
}

TEST_CASE("tracestate: Serialize keeps a list of exactly 512 chars whole") {
  // 4 members of 127 chars + 3 commas = 511; one more char on the last member makes 512.
  const std::string header =
      Member(0, 127) + "," + Member(1, 127) + "," + Member(2, 127) + "," + Member(3, 128);
  REQUIRE(header.size() == TraceState::kPropagateLimit);
  CHECK(Serialize(TraceState::Parse(header)) == header);
}

TEST_CASE("tracestate: truncation drops members longer than 128 chars first") {
  // The long member sits on the left; it goes before any short member on the right.
  const std::string long_member = Member(0, 200);
  const std::string header = long_member + "," + Member(1, 120) + "," + Member(2, 120) + "," +
                             Member(3, 120) + "," + Member(4, 100);
  REQUIRE(header.size() > TraceState::kPropagateLimit);
  const std::string out = Serialize(TraceState::Parse(header));
  CHECK(out == header.substr(long_member.size() + 1));
}

TEST_CASE("tracestate: truncation drops only as many long members as needed, right-most first") {
  const std::string header =
      Member(0, 200) + "," + Member(1, 200) + "," + Member(2, 200) + "," + Member(3, 10);
  const std::string out = Serialize(TraceState::Parse(header));
  CHECK(out == Member(0, 200) + "," + Member(1, 200) + "," + Member(3, 10));
}

TEST_CASE("tracestate: truncation then drops members from the right") {
  std::string header;
  for (int i = 0; i < 6; ++i) header += (i ? "," : "") + Member(i, 100);
  REQUIRE(header.size() == 605);
  const std::string out = Serialize(TraceState::Parse(header));
  CHECK(out.size() == 504);  // five members
  CHECK(out == header.substr(0, 504));
}

TEST_CASE("tracestate: truncation output never exceeds 512 chars for a full list") {
  std::string header;
  for (int i = 0; i < static_cast<int>(TraceState::kMaxMembers); ++i) {
    header += (i ? "," : "") + Member(i, 100 + static_cast<size_t>(i) * 5);
  }
  const TraceState state = TraceState::Parse(header);
  REQUIRE(state.size() == TraceState::kMaxMembers);
  const std::string out = Serialize(state);
  CHECK(out.size() <= TraceState::kPropagateLimit);
  CHECK(TraceState::Parse(out).valid());
  CHECK(out.rfind("k0=", 0) == 0);  // the left-most (most recent) member survives
}

TEST_CASE("tracestate: Serialize into a writer without room writes nothing") {
  char buffer[8];
  ByteWriter writer(buffer, sizeof(buffer));
  writer.Append("x");
  CHECK(TraceState::Parse("abc=defghij").Serialize(writer) == 0);
  CHECK(writer.overflowed());
  CHECK(writer.view() == "x");
}

}  // namespace
}  // namespace edge
