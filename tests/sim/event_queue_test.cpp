#include "sim/cluster/event_queue.h"

#include <doctest/doctest.h>

#include <string>
#include <variant>

using llmsim::sim::EventQueue;

TEST_CASE("events pop in time order") {
  EventQueue<int> queue;
  queue.push(30, 3);
  queue.push(10, 1);
  queue.push(20, 2);
  CHECK(queue.pop().event == 1);
  CHECK(queue.pop().event == 2);
  CHECK(queue.pop().event == 3);
  CHECK(queue.empty());
}

TEST_CASE("equal-time events pop in insertion order") {
  using Event = std::variant<int, std::string>;
  EventQueue<Event> queue;
  queue.push(5, Event{std::string("first")});
  queue.push(5, Event{7});
  queue.push(5, Event{std::string("third")});
  queue.push(4, Event{0});
  CHECK(std::get<int>(queue.pop().event) == 0);
  CHECK(std::get<std::string>(queue.pop().event) == "first");
  CHECK(std::get<int>(queue.pop().event) == 7);
  CHECK(std::get<std::string>(queue.pop().event) == "third");
}
