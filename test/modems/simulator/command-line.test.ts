import test from 'ava';
import { parseArgs, parseCommandLine } from '../../../modems/simulator/at/command-line.ts';

test('basic commands run together; extended ones split on ";" with their form', (t) => {
  t.deepEqual(parseCommandLine('E0V1&F'), [
    { name: 'E', form: 'exec', args: '0' },
    { name: 'V', form: 'exec', args: '1' },
    { name: '&F', form: 'exec', args: '' },
  ]);
  t.deepEqual(parseCommandLine('+CMEE=1;+CREG?;+CPMS=?;+CGMI'), [
    { name: '+CMEE', form: 'set', args: '1' },
    { name: '+CREG', form: 'read', args: '' },
    { name: '+CPMS', form: 'test', args: '' },
    { name: '+CGMI', form: 'exec', args: '' },
  ]);
  t.deepEqual(parseCommandLine('+cusd=1,"*1;0#",15'), [{ name: '+CUSD', form: 'set', args: '1,"*1;0#",15' }]);
  t.deepEqual(parseCommandLine('^SIMSLOT?'), [{ name: '^SIMSLOT', form: 'read', args: '' }]);
  t.deepEqual(parseCommandLine('S0=2'), [{ name: 'S0', form: 'exec', args: '2' }]);
  t.deepEqual(parseCommandLine(''), []);
  t.is(parseCommandLine('+'), undefined);
  t.is(parseCommandLine('!!'), undefined);
});

test('arguments: commas outside quotes split, quotes go, empty ones stay', (t) => {
  t.deepEqual(parseArgs('1,"*100#",15'), ['1', '*100#', '15']);
  t.deepEqual(parseArgs('"SM","SM"'), ['SM', 'SM']);
  t.deepEqual(parseArgs('0,3,"+7916, x",145'), ['0', '3', '+7916, x', '145']);
  t.deepEqual(parseArgs('2,,0'), ['2', '', '0']);
  t.deepEqual(parseArgs(''), []);
});
