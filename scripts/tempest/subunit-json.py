"""Reads a subunit v2 stream on stdin; prints one JSON list of the tests it ran: id, status
(success, fail, skip, ...), the skip reason and the tail of the failure's traceback."""
import json
import sys

import subunit
import testtools

TAIL = 3000
tests = []


def on_test(t):
    def text(name):
        d = t['details'].get(name)
        return d.as_text() if d is not None else ''
    tests.append({'id': t['id'], 'status': t['status'], 'reason': text('reason'),
                  'traceback': text('traceback')[-TAIL:]})


stream = subunit.ByteStreamToStreamResult(sys.stdin.buffer, non_subunit_name='stdout')
result = testtools.StreamToDict(on_test)
result.startTestRun()
stream.run(result)
result.stopTestRun()
json.dump(tests, sys.stdout)
