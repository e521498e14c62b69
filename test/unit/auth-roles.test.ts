import { describe, expect, it } from 'vitest';
import { rolesOf } from '../../shared/http/auth';
import { ROLES } from '../../shared/schemas/common';

describe('rolesOf', () => {
  it('takes the roles of an array claim', () => {
    // Act, Assess
    expect(rolesOf(['admin', 'viewer'])).toEqual(['admin', 'viewer']);
  });

  it('knows every role of the API', () => {
    // Act, Assess
    expect(rolesOf([...ROLES])).toEqual(['admin', 'engineer', 'technician', 'viewer']);
  });

  it.each([
    ['admin engineer', ['admin', 'engineer']],
    ['admin,viewer', ['admin', 'viewer']],
    ['admin, viewer\ttechnician', ['admin', 'viewer', 'technician']],
    ['  engineer  ', ['engineer']],
    [',viewer,', ['viewer']],
  ])('splits the string claim %j', (claim, roles) => {
    // Act, Assess
    expect(rolesOf(claim)).toEqual(roles);
  });

  it('drops names that are not roles, including other cases and non-strings in an array', () => {
    // Act, Assess
    expect(rolesOf(['admin', 'root', 'Viewer', 'ENGINEER', 42, null, { admin: true }, ['viewer']])).toEqual([
      'admin',
    ]);
    expect(rolesOf('superuser admins technician')).toEqual(['technician']);
  });

  it.each([undefined, null, 42, true, { roles: ['admin'] }, ''])(
    'gives no role for the claim %j',
    (claim) => {
      // Act, Assess
      expect(rolesOf(claim)).toEqual([]);
    },
  );
});
