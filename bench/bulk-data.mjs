// Writes a large HRIS-like CSV for the bulk benchmark (data written for this project): 10 columns,
// one row per employee snapshot, about `mb` megabytes, deterministic.
import { createWriteStream } from 'node:fs';

const FIRST = ['Ada', 'Grace', 'Alan', 'Edsger', 'Barbara', 'Donald', 'Margaret', 'Ken', 'Dennis', 'Radia', 'John', 'Frances', 'Linus', 'Guido', 'Bjarne', 'Katherine'];
const LAST = ['Lovelace', 'Hopper', 'Turing', 'Dijkstra', 'Liskov', 'Knuth', 'Hamilton', 'Thompson', 'Ritchie', 'Perlman', "O'Brien", 'Allen', 'Torvalds', 'van Rossum', 'Stroustrup', 'Johnson'];
const DEPTS = ['Engineering', 'Sales', '"Marketing, EMEA"', 'Support', 'Finance', 'People', '"R&D ""Labs"""', 'Legal'];
const TITLES = ['Software Engineer', 'Senior Software Engineer', 'Account Executive', 'Support Specialist', 'Analyst', 'Manager', 'Director'];
const SITES = ['New York', 'London', 'Berlin', 'São Paulo', 'Tokyo', 'Remote', 'Zürich', 'Austin'];

export function writeHrisCsv(path, mb) {
  const target = mb * 1024 * 1024;
  const out = createWriteStream(path);
  out.write('employee_id,email,full_name,department,title,location,manager_id,hire_date,salary,status\n');
  let size = 0;
  let i = 0;
  return new Promise((resolve, reject) => {
    out.on('error', reject);
    const write = () => {
      let ok = true;
      while (size < target && ok) {
        let chunk = '';
        for (let k = 0; k < 1000; k++, i++) {
          const f = FIRST[i % 16];
          const l = LAST[(i >> 4) % 16];
          const id = 1_000_000 + i;
          chunk += `E${id},${f.toLowerCase()}.${l.toLowerCase().replace(/[^a-z]/g, '')}${i}@example.com,${f} ${l},${DEPTS[i % 8]},${TITLES[i % 7]},${SITES[(i >> 3) % 8]},E${1_000_000 + (i % 4093)},20${10 + (i % 14)}-0${1 + (i % 9)}-1${i % 10},${60000 + ((i * 7919) % 140000)},${i % 23 === 0 ? 'terminated' : 'active'}\n`;
        }
        size += Buffer.byteLength(chunk);
        ok = out.write(chunk);
      }
      if (size < target) out.once('drain', write);
      else out.end(resolve);
    };
    write();
  });
}
