#include "edge/span.h"

#include <doctest/doctest.h>

#include <string>

namespace edge {
namespace {

TEST_CASE("a default Span is a root server span with no status and no attributes") {
  const Span span;
  CHECK_FALSE(span.trace_id.IsValid());
  CHECK_FALSE(span.parent_span_id.IsValid());
  CHECK(span.kind == SpanKind::kServer);
  CHECK(span.status == SpanStatusCode::kUnset);
  CHECK(span.flags == 0);
  CHECK(span.attributes.size() == 0);
  CHECK(span.attributes.dropped() == 0);
  CHECK(span.link_count == 0);
  CHECK(span.event_count == 0);
  CHECK(span.dropped_links == 0);
  CHECK(span.dropped_events == 0);
}

TEST_CASE("each Add stores its key, type and value in order") {
  AttributeList list;
  CHECK(list.AddString("url.path", "/a"));
  CHECK(list.AddInt("http.response.status_code", -7));
  CHECK(list.AddBool("faas.coldstart", true));
  CHECK(list.AddDouble("ratio", 0.5));
  REQUIRE(list.size() == 4);

  CHECK(list.at(0).key == "url.path");
  CHECK(list.at(0).type == AttributeType::kString);
  CHECK(list.at(0).string_value == "/a");

  CHECK(list.at(1).key == "http.response.status_code");
  CHECK(list.at(1).type == AttributeType::kInt);
  CHECK(list.at(1).int_value == -7);

  CHECK(list.at(2).type == AttributeType::kBool);
  CHECK(list.at(2).bool_value);

  CHECK(list.at(3).type == AttributeType::kDouble);
  CHECK(list.at(3).double_value == 0.5);
  CHECK(list.dropped() == 0);
}

TEST_CASE("an Add sets only its own value field") {
  AttributeList list;
  list.AddInt("n", 42);
  CHECK(list.at(0).string_value.empty());
  CHECK(list.at(0).double_value == 0);
  CHECK_FALSE(list.at(0).bool_value);
}

TEST_CASE("a full list drops further attributes and counts them") {
  AttributeList list;
  for (size_t i = 0; i < AttributeList::kCapacity; ++i) {
    REQUIRE(list.AddInt("k", static_cast<int64_t>(i)));
  }
  CHECK(list.size() == AttributeList::kCapacity);
  CHECK_FALSE(list.AddString("late", "x"));
  CHECK_FALSE(list.AddInt("late", 1));
  CHECK_FALSE(list.AddBool("late", true));
  CHECK_FALSE(list.AddDouble("late", 1.0));
  CHECK(list.size() == AttributeList::kCapacity);
  CHECK(list.dropped() == 4);
  CHECK(list.at(AttributeList::kCapacity - 1).int_value ==
        static_cast<int64_t>(AttributeList::kCapacity - 1));
}

TEST_CASE("attributes are views: the list does not copy the strings") {
  const std::string value = "owned by the caller";
  AttributeList list;
  list.AddString("k", value);
  CHECK(list.at(0).string_value.data() == value.data());
}

SpanLink Link(const char* trace_hex, const char* span_hex, uint32_t flags) {
  SpanLink link;
  link.trace_id = TraceId::FromHex(trace_hex);
  link.span_id = SpanId::FromHex(span_hex);
  link.flags = flags;
  return link;
}

TEST_CASE("AddLink stores links in order up to kMaxLinks") {
  Span span;
  REQUIRE(span.AddLink(Link("4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7", 0x01)));
  REQUIRE(span.AddLink(Link("0af7651916cd43dd8448eb211c80319c", "b7ad6b7169203331", 0x00)));
  REQUIRE(span.link_count == Span::kMaxLinks);
  CHECK(span.links[0].trace_id == TraceId::FromHex("4bf92f3577b34da6a3ce929d0e0e4736"));
  CHECK(span.links[0].span_id == SpanId::FromHex("00f067aa0ba902b7"));
  CHECK(span.links[0].flags == 0x01);
  CHECK(span.links[1].trace_id == TraceId::FromHex("0af7651916cd43dd8448eb211c80319c"));
  CHECK(span.links[1].span_id == SpanId::FromHex("b7ad6b7169203331"));
  CHECK(span.links[1].flags == 0x00);
  CHECK(span.dropped_links == 0);
}

TEST_CASE("AddLink beyond kMaxLinks returns false, keeps the stored links and counts the drop") {
  Span span;
  for (size_t i = 0; i < Span::kMaxLinks; ++i) {
    REQUIRE(span.AddLink(Link("4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7", 0x01)));
  }
  CHECK_FALSE(span.AddLink(Link("0af7651916cd43dd8448eb211c80319c", "b7ad6b7169203331", 0x00)));
  CHECK_FALSE(span.AddLink(Link("0af7651916cd43dd8448eb211c80319c", "b7ad6b7169203331", 0x00)));
  CHECK(span.link_count == Span::kMaxLinks);
  CHECK(span.dropped_links == 2);
  for (size_t i = 0; i < Span::kMaxLinks; ++i) {
    CHECK(span.links[i].trace_id == TraceId::FromHex("4bf92f3577b34da6a3ce929d0e0e4736"));
  }
  CHECK(span.dropped_events == 0);
}

TEST_CASE("AddLink refuses a link with an invalid trace or span id, without counting a drop") {
  Span span;
  CHECK_FALSE(span.AddLink(SpanLink{}));
  CHECK_FALSE(span.AddLink(Link("00000000000000000000000000000000", "00f067aa0ba902b7", 0x01)));
  CHECK_FALSE(span.AddLink(Link("4bf92f3577b34da6a3ce929d0e0e4736", "0000000000000000", 0x01)));
  CHECK(span.link_count == 0);
  CHECK(span.dropped_links == 0);
  // Still refused (and not counted) once the span is full.
  for (size_t i = 0; i < Span::kMaxLinks; ++i) {
    REQUIRE(span.AddLink(Link("4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7", 0x01)));
  }
  CHECK_FALSE(span.AddLink(SpanLink{}));
  CHECK(span.dropped_links == 0);
}

TEST_CASE("AddExceptionEvent records an `exception` event with exception.type and .message") {
  Span span;
  REQUIRE(span.AddExceptionEvent(1700000000124000000, "OriginTimeout", "no response in 30 s"));
  REQUIRE(span.event_count == 1);
  const SpanEvent& event = span.events[0];
  CHECK(event.name == "exception");
  CHECK(event.time_unix_nano == 1700000000124000000);
  REQUIRE(event.attribute_count == 2);
  CHECK(event.attributes[0].key == "exception.type");
  CHECK(event.attributes[0].type == AttributeType::kString);
  CHECK(event.attributes[0].string_value == "OriginTimeout");
  CHECK(event.attributes[1].key == "exception.message");
  CHECK(event.attributes[1].type == AttributeType::kString);
  CHECK(event.attributes[1].string_value == "no response in 30 s");
  CHECK(span.dropped_events == 0);
}

TEST_CASE("AddExceptionEvent leaves out an empty exception.type or exception.message") {
  Span span;
  REQUIRE(span.AddExceptionEvent(1, "", "only a message"));
  REQUIRE(span.events[0].attribute_count == 1);
  CHECK(span.events[0].attributes[0].key == "exception.message");
  CHECK(span.events[0].attributes[0].string_value == "only a message");

  REQUIRE(span.AddExceptionEvent(2, "OnlyAType", ""));
  REQUIRE(span.events[1].attribute_count == 1);
  CHECK(span.events[1].attributes[0].key == "exception.type");
  CHECK(span.events[1].attributes[0].string_value == "OnlyAType");

  Span neither;
  REQUIRE(neither.AddExceptionEvent(3, "", ""));
  CHECK(neither.events[0].name == "exception");
  CHECK(neither.events[0].attribute_count == 0);
}

TEST_CASE("AddExceptionEvent beyond kMaxEvents returns false, keeps the events, counts the drop") {
  Span span;
  for (size_t i = 0; i < Span::kMaxEvents; ++i) {
    REQUIRE(span.AddExceptionEvent(static_cast<int64_t>(i), "T", "m"));
  }
  CHECK_FALSE(span.AddExceptionEvent(99, "Late", "late"));
  CHECK_FALSE(span.AddExceptionEvent(100, "", ""));
  CHECK(span.event_count == Span::kMaxEvents);
  CHECK(span.dropped_events == 2);
  for (size_t i = 0; i < Span::kMaxEvents; ++i) {
    CHECK(span.events[i].time_unix_nano == static_cast<int64_t>(i));
    CHECK(span.events[i].attributes[0].string_value == "T");
  }
  CHECK(span.dropped_links == 0);
}

TEST_CASE("exception events are views: the span does not copy type or message") {
  const std::string type = "std::runtime_error";
  const std::string message = "owned by the caller";
  Span span;
  REQUIRE(span.AddExceptionEvent(1, type, message));
  CHECK(span.events[0].attributes[0].string_value.data() == type.data());
  CHECK(span.events[0].attributes[1].string_value.data() == message.data());
}

}  // namespace
}  // namespace edge
